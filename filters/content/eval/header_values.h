// Header values as SpamAssassin's PerMsgStatus::get hands them to its eval functions, shared by
// the header, freemail and welcome/block list families: the unfolded values of fields SpamAssassin
// does not MIME-decode (Received, Date, Message-ID), the addresses of a field (`Name:addr`, the
// EnvelopeFrom pseudo-header included), and the sender and recipient address sets
// (all_from_addrs, all_to_addrs), the address globs of its lists. Also the one way these families
// compile the Perl patterns they take from SpamAssassin: PCRE2 with match limits, byte semantics.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/eval/eval_input.h"
#include "filters/content/pcre_pattern.h"

namespace portcullis::content {

// Every instance of `name`, in order, unfolded as SpamAssassin does (a fold becomes one space,
// the ends trimmed), not MIME-decoded.
std::vector<std::string> unfoldedValues(const ContentView& view, std::string_view name);

// The same for the message of `input`, computed once per name and scan (kept in input.facts):
// the reference stays valid for the scan.
const std::vector<std::string>& unfoldedValues(const EvalInput& input, std::string_view name);
// joinedLines(unfoldedValues(input, "Received")), computed once per scan.
const std::string& receivedText(const EvalInput& input);

// Every instance of `name`, decoded (RFC 2047), in order.
std::vector<std::string_view> decodedValues(const ContentView& view, std::string_view name);

// SpamAssassin's scalar get(): each value followed by a newline, concatenated ("" when none).
std::string joinedLines(const std::vector<std::string>& values);
std::string joinedLines(const std::vector<std::string_view>& values);

// The addresses of every instance of `name` (`Name:addr`), in order; `EnvelopeFrom` is the
// envelope sender of the relay model. Parsed once per name and scan (kept in input.facts): the
// reference stays valid for the scan.
const std::vector<std::string>& headerAddresses(const EvalInput& input, std::string_view name);
// The first of them ("" when none): SpamAssassin's scalar get("Name:addr").
std::string firstAddress(const EvalInput& input, std::string_view name);

// PerMsgStatus::all_from_addrs: the Resent-From addresses when there are any, else those of From,
// Envelope-Sender, Resent-Sender, X-Envelope-From and the envelope sender; without duplicates.
// Computed once per scan (kept in input.facts), as is allToAddresses.
const std::vector<std::string>& allFromAddresses(const EvalInput& input);
// PerMsgStatus::all_to_addrs: the Resent-To and Resent-Cc addresses when there are any, else the
// "for <address>" of the three newest Received fields and the addresses of To, Cc and the
// envelope-recipient fields MTAs add; without duplicates.
const std::vector<std::string>& allToAddresses(const EvalInput& input);

// Whether `text` matches a file-glob `pattern` of SpamAssassin's address lists as a whole
// (welcomelist_from and friends): '*' any run, '?' any one character, the rest literal. Both
// are expected lowercased.
bool globMatches(std::string_view pattern, std::string_view text);

// A Perl pattern: SpamAssassin's own (compiled once, JIT) or one built from a message's text
// (`jit` false: compiled per message). nullptr when it does not compile.
std::unique_ptr<const PcrePattern> perlPattern(std::string_view pattern, bool caseless = false,
                                               bool jit = true);

}  // namespace portcullis::content
