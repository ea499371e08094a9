// The families of eval functions, one file each, named after the SpamAssassin plugin whose
// functions they implement; eval_registry.cc calls every one of these once.
#pragma once

namespace portcullis::content {

class EvalRegistry;

void registerHeaderEvals(EvalRegistry& registry);    // HeaderEval
void registerMimeEvals(EvalRegistry& registry);      // MIMEEval
void registerBodyEvals(EvalRegistry& registry);      // BodyEval
void registerHtmlEvals(EvalRegistry& registry);      // HTMLEval
void registerRelayEvals(EvalRegistry& registry);     // RelayEval
void registerUriEvals(EvalRegistry& registry);       // URIEval, URIDetail, HTTPSMismatch
void registerFreemailEvals(EvalRegistry& registry);  // FreeMail
void registerListEvals(EvalRegistry& registry);      // WLBLEval, WelcomeListSubject, VBounce
void registerAuthEvals(EvalRegistry& registry);      // SPF, DKIM, DMARC (from our own checks)
void registerNetworkEvals(EvalRegistry& registry);   // DNSEval, URIDNSBL, Bayes and services
void registerImageEvals(EvalRegistry& registry);     // ImageInfo

}  // namespace portcullis::content
