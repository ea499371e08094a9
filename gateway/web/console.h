// The web console's request handling, without sockets: one HTTP request in, one response out.
// Routes (admin = a logged-in administrator, link = a session opened by a recipient's signed link):
//
//   GET  /login, POST /login, POST /logout          administrators' login (rate limited per client)
//   GET  /quarantine?sender&rcpt&subject&symbol&since&until&page     admin: search and list
//   GET  /message/ID                                admin: envelope, symbols, header, text
//   POST /message/ID/{release,release-learn,delete} admin (CSRF token required)
//   GET  /history                                   admin: verdicts and quarantined per hour
//   GET  /r?rcpt&exp&sig                            a signed link: opens a link session
//   GET  /mine, GET /mine/ID                        link: that recipient's messages only
//   POST /mine/ID/{release,delete}                  link (CSRF token required)
//
// Every state change needs the session's CSRF token, is refused otherwise, and is written to the
// audit log with who, what, when and the outcome, as are logins and refused links.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/quarantine/audit_log.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/quarantine/verdict_history.h"
#include "gateway/web/login_limiter.h"
#include "gateway/web/message_view.h"
#include "gateway/web/sessions.h"
#include "gateway/web/signed_link.h"
#include "gateway/web/web_config.h"

namespace portcullis::web {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/path?query"
  std::string cookie;  // the Cookie header
  std::string body;    // application/x-www-form-urlencoded for POST
  std::string client;  // the peer's IP address
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Location, ...
};

// What the console asks of the running gateway.
struct ConsoleServices {
  std::shared_ptr<quarantine::Quarantine> quarantine;
  // Every message's verdict per hour; null: the history page shows the quarantined counts alone.
  std::shared_ptr<quarantine::VerdictHistory> verdicts;
  // Queues the quarantined message for delivery and returns the new queue id; null when this
  // gateway cannot deliver (then the console offers no release).
  std::function<spool::Result<std::string>(const std::string& id)> release;
  // Teaches the classifier the message as ham and says what happened; null without a classifier.
  std::function<std::string(const std::string& message)> learn_ham;
  // Why each rule hits the message with the rules loaded now (rule name -> `matched "text"` or
  // `because ...`), shown to administrators beside the stored symbols; null without content rules.
  std::function<RuleEvidence(std::string_view message)> explain;
};

class Console {
 public:
  Console(WebConfig config, std::string link_key, ConsoleServices services);

  HttpResponse handle(const HttpRequest& request);

  // Takes the reloadable settings of a reloaded [web] (users, lifetimes, login limits, page and
  // field sizes, history period); sessions and links stay valid. Call it on the thread that calls
  // handle().
  void reconfigure(const WebConfig& fresh);

  const RecipientLinks& links() const { return links_; }
  const WebConfig& config() const { return config_; }

 private:
  struct Context;
  HttpResponse route(Context& context);
  HttpResponse loginForm(std::string_view error, int status = 200);
  HttpResponse login(Context& context);
  HttpResponse logout(Context& context);
  HttpResponse list(Context& context, bool admin);
  HttpResponse show(Context& context, const std::string& id, bool admin);
  HttpResponse act(Context& context, const std::string& id, const std::string& action, bool admin);
  HttpResponse history(Context& context);
  HttpResponse openLink(Context& context);
  HttpResponse note(Context& context, int status, std::string_view title, std::string_view text,
                    std::string_view back = "");
  void audit(const Context& context, std::string action, std::string id, bool ok,
             std::string detail);
  std::string sessionCookie(const std::string& id, std::chrono::milliseconds lifetime) const;
  std::string cookieName() const;

  WebConfig config_;
  RecipientLinks links_;
  ConsoleServices services_;
  SessionStore sessions_;
  LoginLimiter limiter_;
  quarantine::AuditLog audit_log_;
};

}  // namespace portcullis::web
