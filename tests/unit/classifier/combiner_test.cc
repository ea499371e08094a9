// The combiner's arithmetic against numbers computed by hand from Robinson's and Fisher's
// formulas (as SpamAssassin's Bayes.pm and Bayes/CombineChi.pm compute them).
#include "filters/classifier/combiner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace portcullis::classifier {
namespace {

TEST(Combiner, RobinsonProbabilityOfATokenNormalisesByClassSizes) {
  CombinerSettings s;  // SpamAssassin's formula and constants: s = 0.160, x = 0.538
  s.robinson_s = 0.160;
  s.balance_class_sizes = false;
  // Seen in 10 of 100 spam and 1 of 1000 ham: ratio p = 0.1 / (0.1 + 0.001) = 0.990099;
  // f = (0.160 * 0.538 + 11 * 0.990099) / (0.160 + 11) = 10.977177 / 11.16 = 0.983618.
  EXPECT_NEAR(*tokenProbability({10, 1}, 100, 1000, s), 0.983618, 1e-6);
  // Once in spam only: p = 1; f = (0.08608 + 1) / 1.16 = 0.936276.
  EXPECT_NEAR(*tokenProbability({1, 0}, 200, 200, s), 0.936276, 1e-6);
  // Once in ham only: f = 0.08608 / 1.16 = 0.074207.
  EXPECT_NEAR(*tokenProbability({0, 1}, 200, 200, s), 0.074207, 1e-6);
  // Equal shares of equal classes: p = 0.5; f = (0.08608 + 20 * 0.5) / 20.16 = 0.500302.
  EXPECT_NEAR(*tokenProbability({10, 10}, 300, 300, s), 0.500302, 1e-6);
}

TEST(Combiner, BalancingCountsTheLargerClassInUnitsOfTheSmaller) {
  CombinerSettings s;
  s.robinson_s = 0.5;
  s.robinson_x = 0.538;
  ASSERT_TRUE(s.balance_class_sizes);
  // 100 spam and 500 ham learnt: a token in 5 ham and no spam rests on 5 * 100 / 500 = 1
  // message: f = 0.269 / 1.5 = 0.179333 (without balancing: 0.269 / 5.5 = 0.048909).
  EXPECT_NEAR(*tokenProbability({0, 5}, 100, 500, s), 0.179333, 1e-6);
  // A token in 5 spam and no ham keeps n = 5: f = (0.269 + 5) / 5.5 = 0.958.
  EXPECT_NEAR(*tokenProbability({5, 0}, 100, 500, s), 0.958, 1e-6);
  // Mixed: 2 spam and 50 ham: ratio p = 0.02 / (0.02 + 0.1) = 1/6, n = 2 + 10 = 12;
  // f = (0.269 + 2) / 12.5 = 0.18152.
  EXPECT_NEAR(*tokenProbability({2, 50}, 100, 500, s), 0.18152, 1e-6);
  // Equal class sizes: nothing changes.
  CombinerSettings raw = s;
  raw.balance_class_sizes = false;
  EXPECT_DOUBLE_EQ(*tokenProbability({0, 5}, 300, 300, s),
                   *tokenProbability({0, 5}, 300, 300, raw));
  EXPECT_NEAR(*tokenProbability({0, 5}, 100, 500, raw), 0.048909, 1e-6);
  // The larger class may be the spam: then spam counts shrink instead, n = 5 * 100 / 500 = 1;
  // f = (0.269 + 1) / 1.5 = 0.846.
  EXPECT_NEAR(*tokenProbability({5, 0}, 500, 100, s), 0.846, 1e-6);
}

TEST(Combiner, UnseenTokensAndEmptyClassesSayNothing) {
  const CombinerSettings s;
  EXPECT_FALSE(tokenProbability({0, 0}, 200, 200, s));
  EXPECT_FALSE(tokenProbability({3, 0}, 0, 200, s));
  EXPECT_FALSE(tokenProbability({0, 3}, 200, 0, s));
}

TEST(Combiner, ChiSquareTailMatchesClosedForm) {
  // For two degrees of freedom Q(x2) = exp(-x2 / 2).
  EXPECT_NEAR(chi2Q(3.0, 1), std::exp(-1.5), 1e-12);
  // For four: Q = exp(-m) (1 + m), m = x2 / 2.
  EXPECT_NEAR(chi2Q(6.0, 2), std::exp(-3.0) * 4.0, 1e-12);
  EXPECT_DOUBLE_EQ(chi2Q(0.0, 3), 1.0);
}

TEST(Combiner, FisherCombiningByHand) {
  // One token of probability 0.9, equal class sizes: S = 0.5 * 0.1 = 0.05, H = 0.5 * 0.9 = 0.45;
  // spamminess = 1 - exp(ln 0.05) = 0.95, hamminess = 1 - exp(ln 0.45) = 0.55;
  // result = (0.95 - 0.55 + 1) / 2 = 0.70.
  const std::vector<double> one = {0.9};
  EXPECT_NEAR(*chiSquareCombine(one, 100, 100), 0.70, 1e-12);
  // Two tokens 0.99 and 0.2, classes 1:3: S = 0.25 * 0.01 * 0.8 = 0.002, H = 0.75 * 0.99 * 0.2
  // = 0.1485. With m = -ln S = 6.214608: Q = e^-m (1 + m) = 0.002 * 7.214608 = 0.014429216;
  // spamminess = 0.985570784. m = -ln H = 1.907275: Q = 0.1485 * 2.907275 = 0.431730;
  // hamminess = 0.568270. Result = (0.985571 - 0.568270 + 1) / 2 = 0.708650.
  const std::vector<double> two = {0.99, 0.2};
  EXPECT_NEAR(*chiSquareCombine(two, 100, 300), 0.708650, 1e-5);
  EXPECT_FALSE(chiSquareCombine({}, 100, 100));
}

TEST(Combiner, SymmetricEvidenceIsHalf) {
  const std::vector<double> probabilities = {0.99, 0.01, 0.8, 0.2};
  EXPECT_NEAR(*chiSquareCombine(probabilities, 500, 500), 0.5, 1e-12);
}

TEST(Combiner, WeakTokensAreSkippedAndTheStrongestKept) {
  CombinerSettings s;
  s.robinson_s = 0.160;
  s.max_interesting = 2;
  // With 100/100 learnt: {50, 50} gives 0.5 (weak, skipped); {0, 0} unseen; {20, 0} and {0, 30}
  // and {5, 0} strong. The two strongest are {0, 30} (f = 0.002860) and {20, 0} (0.995681).
  const std::vector<TokenCounts> counts = {{50, 50}, {0, 0}, {20, 0}, {0, 30}, {5, 0}};
  std::vector<std::size_t> telling;
  const auto p = combine(counts, 100, 100, s, &telling);
  ASSERT_TRUE(p);
  EXPECT_EQ(telling, (std::vector<std::size_t>{3, 2}));
  const double f_ham = *tokenProbability({0, 30}, 100, 100, s);
  const double f_spam = *tokenProbability({20, 0}, 100, 100, s);
  EXPECT_NEAR(f_ham, (0.160 * 0.538) / 30.16, 1e-9);
  EXPECT_NEAR(f_spam, (0.160 * 0.538 + 20) / 20.16, 1e-9);
  const std::vector<double> both = {f_ham, f_spam};
  EXPECT_DOUBLE_EQ(*p, *chiSquareCombine(both, 100, 100));
}

TEST(Combiner, NothingTellingGivesNoProbability) {
  const std::vector<TokenCounts> counts = {{50, 50}, {0, 0}};
  EXPECT_FALSE(combine(counts, 100, 100, CombinerSettings{}));
}

TEST(Combiner, ManyStrongTokensDoNotUnderflow) {
  std::vector<double> spammy(5000, 0.999), hammy(5000, 0.001);
  EXPECT_NEAR(*chiSquareCombine(spammy, 100, 100), 1.0, 1e-9);
  EXPECT_NEAR(*chiSquareCombine(hammy, 100, 100), 0.0, 1e-9);
}

}  // namespace
}  // namespace portcullis::classifier
