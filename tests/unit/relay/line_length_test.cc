// Fitting a message to the internal MTA's line limit, and naming the DKIM signatures it breaks.
#include "gateway/relay/line_length.h"

#include <gtest/gtest.h>

#include <string>

#include "gateway/smtp/client.h"

namespace portcullis::relay {
namespace {

const smtp::LongLinePolicy kWrap{998, smtp::LongLineAction::Wrap};

std::string signature(std::string_view domain, std::string_view headers) {
  return "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + std::string(domain) +
         "; s=sel;\r\n\th=" + std::string(headers) + "; bh=YWJj; b=YWJj\r\n";
}

TEST(LineLength, AMessageThatFitsIsSentAsItIs) {
  std::string message = "Subject: x\r\n\r\nshort\r\n";
  FittedMessage fitted = fitLineLength(kWrap, Envelope{}, message);
  EXPECT_EQ(fitted.wrapped_lines, 0u);
  EXPECT_EQ(fitted.text(message).data(), message.data()) << "no copy";
}

TEST(LineLength, WrapsLongBodyLinesAndNamesEverySignatureItBreaks) {
  std::string message = signature("a.example", "from:subject") + signature("b.example", "from") +
                        "From: x@a.example\r\nSubject: s\r\n\r\n" + std::string(5000, 'b') + "\r\n";
  FittedMessage fitted = fitLineLength(kWrap, Envelope{}, message);
  EXPECT_EQ(fitted.wrapped_lines, 1u);
  EXPECT_EQ(fitted.longest_line, 5000u);
  EXPECT_EQ(smtp::longestLine(fitted.text(message)), 998u);
  EXPECT_EQ(fitted.broken_dkim_domains, (std::vector<std::string>{"a.example", "b.example"}));
}

TEST(LineLength, AWrappedHeaderBreaksOnlyTheSignaturesThatSignIt) {
  std::string message = signature("a.example", "from:subject") + signature("b.example", "from") +
                        "From: x@a.example\r\nSubject: " + std::string(1200, 's') +
                        "\r\n\r\nbody\r\n";
  FittedMessage fitted = fitLineLength(kWrap, Envelope{}, message);
  EXPECT_EQ(fitted.wrapped_lines, 1u);
  EXPECT_EQ(fitted.broken_dkim_domains, std::vector<std::string>{"a.example"});
}

TEST(LineLength, NoLimitAndBinaryMimeAreLeftAlone) {
  std::string message = "Subject: x\r\n\r\n" + std::string(5000, 'b') + "\r\n";
  EXPECT_EQ(fitLineLength({0, smtp::LongLineAction::Wrap}, Envelope{}, message).wrapped_lines, 0u);
  Envelope binary;
  binary.params.body = "BINARYMIME";
  EXPECT_EQ(fitLineLength(kWrap, binary, message).wrapped_lines, 0u);
}

TEST(LineLength, PreparedForRelayAsFittedAndWithTheDotStuffingTheWrappedTextNeeds) {
  Envelope binary;
  binary.params.body = "BINARYMIME";
  for (const std::string& message : std::vector<std::string>{
           std::string("Subject: x\r\n\r\nshort\r\n"), "Subject: x\r\n\r\n.dot\r\n",
           "Subject: x\r\n\r\n" + std::string(2500, 'b') + "\r\n",
           "Subject: x\r\n\r\n." + std::string(2500, 'b') + "\r\n",
           "Subject: x\r\n\r\n" + std::string(2500, 'b') + "\nbare\r\n"}) {
    for (const Envelope& envelope : {Envelope{}, binary}) {
      RelayText relayed = prepareForRelay(kWrap, envelope, message);
      FittedMessage fitted = fitLineLength(kWrap, envelope, message);
      EXPECT_EQ(relayed.fitted.wrapped_lines, fitted.wrapped_lines);
      EXPECT_EQ(relayed.fitted.longest_line, fitted.longest_line);
      EXPECT_EQ(relayed.fitted.text(message), fitted.text(message));
      EXPECT_EQ(relayed.needs_dot_stuffing, smtp::needsDotStuffing(relayed.fitted.text(message)))
          << message.substr(0, 40);
    }
  }
}

}  // namespace
}  // namespace portcullis::relay
