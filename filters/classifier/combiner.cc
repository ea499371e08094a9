#include "filters/classifier/combiner.h"

#include <algorithm>
#include <cmath>

namespace portcullis::classifier {

std::optional<double> tokenProbability(TokenCounts counts, std::uint64_t spam_learned,
                                       std::uint64_t ham_learned, const CombinerSettings& s) {
  if (spam_learned == 0 || ham_learned == 0) return std::nullopt;
  const double spam = counts.spam, ham = counts.ham;
  if (spam + ham == 0) return std::nullopt;
  const double ns = static_cast<double>(spam_learned), nn = static_cast<double>(ham_learned);
  // The counts are clamped to the class sizes: a token cannot be in more messages than were learnt
  // (after forgetting, or in a store shared by several writers).
  const double spam_ratio = std::min(spam / ns, 1.0), ham_ratio = std::min(ham / nn, 1.0);
  const double p = spam_ratio / (spam_ratio + ham_ratio);
  // How far p is to be trusted: the messages the token was seen in, those of the larger class
  // counted in units of the smaller one when balancing (a token in 3 of 2,000 ham and none of 400
  // spam would be expected in under one of those spam anyway: it is weak evidence, not strong).
  const double n = s.balance_class_sizes
                       ? spam * std::min(nn / ns, 1.0) + ham * std::min(ns / nn, 1.0)
                       : spam + ham;
  return (s.robinson_s * s.robinson_x + n * p) / (s.robinson_s + n);
}

double chi2Q(double x2, std::size_t half_dof) {
  const double m = x2 / 2.0;
  double term = std::exp(-m);
  double sum = term;
  for (std::size_t i = 1; i < half_dof; ++i) {
    term *= m / static_cast<double>(i);
    sum += term;
  }
  return std::min(sum, 1.0);
}

std::optional<double> chiSquareCombine(std::span<const double> probabilities,
                                       std::uint64_t spam_learned, std::uint64_t ham_learned) {
  if (probabilities.empty() || spam_learned + ham_learned == 0) return std::nullopt;
  const double total = static_cast<double>(spam_learned + ham_learned);
  // Products of many small numbers: kept as mantissa and binary exponent to avoid underflow.
  double s = static_cast<double>(spam_learned) / total;
  double h = static_cast<double>(ham_learned) / total;
  int s_exp = 0, h_exp = 0;
  for (double p : probabilities) {
    s *= 1.0 - p;
    h *= p;
    if (s < 1e-200) {
      int e = 0;
      s = std::frexp(s, &e);
      s_exp += e;
    }
    if (h < 1e-200) {
      int e = 0;
      h = std::frexp(h, &e);
      h_exp += e;
    }
  }
  const double ln_s = std::log(s) + s_exp * std::log(2.0);
  const double ln_h = std::log(h) + h_exp * std::log(2.0);
  const double spamminess = 1.0 - chi2Q(-2.0 * ln_s, probabilities.size());
  const double hamminess = 1.0 - chi2Q(-2.0 * ln_h, probabilities.size());
  return (spamminess - hamminess + 1.0) / 2.0;
}

std::optional<double> combine(std::span<const TokenCounts> counts, std::uint64_t spam_learned,
                              std::uint64_t ham_learned, const CombinerSettings& s,
                              std::vector<std::size_t>* telling) {
  struct Candidate {
    double strength;
    double probability;
    std::size_t index;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i].spam == 0 && counts[i].ham == 0) continue;  // the common case: never seen
    const auto p = tokenProbability(counts[i], spam_learned, ham_learned, s);
    if (!p) continue;
    const double strength = std::fabs(*p - 0.5);
    if (strength < s.min_prob_strength) continue;
    candidates.push_back({strength, *p, i});
  }
  const std::size_t keep = std::min(candidates.size(), s.max_interesting);
  // Strongest first; ties broken by index so the result does not depend on the sort.
  auto stronger = [](const Candidate& a, const Candidate& b) {
    return a.strength != b.strength ? a.strength > b.strength : a.index < b.index;
  };
  // The strongest `keep`, in no particular order: combining does not depend on it (and explaining
  // sorts a copy, so that an explained classification is the very same number).
  std::nth_element(candidates.begin(), candidates.begin() + keep, candidates.end(), stronger);
  candidates.resize(keep);
  std::vector<double> probabilities;
  probabilities.reserve(keep);
  for (const Candidate& c : candidates) probabilities.push_back(c.probability);
  if (telling) {
    std::vector<Candidate> sorted = candidates;
    std::sort(sorted.begin(), sorted.end(), stronger);
    telling->clear();
    for (const Candidate& c : sorted) telling->push_back(c.index);
  }
  return chiSquareCombine(probabilities, spam_learned, ham_learned);
}

}  // namespace portcullis::classifier
