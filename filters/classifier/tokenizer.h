// Turns one message into the distinct tokens the classifier counts: words of the rendered body
// (after SpamAssassin's Bayes tokenizer: 3..15 bytes, long tokens shortened to "sk:" prefixes,
// UTF-8 kept whole, title case and punctuation folded into extra variants), selected header fields
// under a per-field prefix (Received reduced to its two oldest hops, noisy fields skipped,
// addresses split into user, domain and parent domains), URIs, host and file names as their parts
// alone, and orthogonal sparse bigrams over body words (pairs of words up to `osb_window` - 1
// apart, with their distance). Each token is a stable 64-bit hash of its text (the store persists
// hashes, so the hash never changes between builds or versions). Work and output are bounded by
// `max_tokens`. messageDigest() names a message for "learnt once" bookkeeping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "filters/classifier/classifier_input.h"
#include "filters/classifier/token_store.h"

namespace portcullis::classifier {

struct TokenizerSettings {
  std::size_t max_tokens = 20000;  // distinct tokens per message; the rest is not read
  std::size_t osb_window = 0;      // 0 or 1: no bigrams; 5: each word paired with 4 before it
  bool keep_texts = false;         // fill Tokens::texts (explaining, tests)
};

struct Tokens {
  std::vector<TokenHash> hashes;   // distinct, in order of first appearance
  std::vector<std::string> texts;  // texts[i] is the text of hashes[i], when keep_texts
};

Tokens tokenize(const ClassifierInput& input, const TokenizerSettings& settings);

// The stable hash of one token text.
TokenHash hashToken(std::string_view text);

// SHA-256 of the message as its sender wrote it: line endings normalised to LF, the mbox "From "
// line and the header fields this gateway adds (its own Received field, X-Spam-*, X-Portcullis-*)
// left out, so the copy in the quarantine and the copy a user forwards back digest alike.
MessageDigest messageDigest(std::string_view raw);

}  // namespace portcullis::classifier
