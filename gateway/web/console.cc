#include "gateway/web/console.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "gateway/core/queue_id.h"
#include "gateway/core/text.h"
#include "gateway/web/message_view.h"
#include "gateway/web/pages.h"
#include "gateway/web/password.h"
#include "gateway/web/secrets.h"
#include "gateway/web/url_form.h"

namespace portcullis::web {

namespace {

// Headers every answer carries: nothing of a page may load from elsewhere, run script, be framed,
// be cached, or leak the address (a signed link's query) in a Referer.
constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
     "frame-ancestors 'none'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
};

constexpr std::chrono::minutes kLoginFormLifetime{30};
constexpr size_t kMaxPage = 1'000'000;

std::string cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semicolon = header.find(';');
    std::string_view pair = header.substr(0, semicolon);
    header =
        semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return {};
}

std::string field(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

// "YYYY-MM-DD" at 00:00 UTC; nullopt when malformed.
std::optional<quarantine::TimePoint> parseDay(const std::string& text) {
  std::tm tm{};
  const char* rest = ::strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (rest == nullptr || *rest != '\0') return std::nullopt;
  return quarantine::Clock::from_time_t(::timegm(&tm));
}

HttpResponse redirect(std::string location) {
  HttpResponse r;
  r.status = 303;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

bool addressedTo(const quarantine::Entry& entry, std::string_view recipient) {
  return std::any_of(entry.recipients.begin(), entry.recipients.end(),
                     [recipient](const std::string& r) { return iequals(r, recipient); });
}

// A recipient may act on a message only when every recipient of it is theirs: releasing or
// deleting acts on the whole message, for all its recipients.
bool addressedOnlyTo(const quarantine::Entry& entry, std::string_view recipient) {
  return !entry.recipients.empty() &&
         std::all_of(entry.recipients.begin(), entry.recipients.end(),
                     [recipient](const std::string& r) { return iequals(r, recipient); });
}

}  // namespace

struct Console::Context {
  const HttpRequest& request;
  Target target;
  std::string session_id;
  std::optional<Session> session;
  std::map<std::string, std::string> form;
  spool::TimePoint now = spool::Clock::now();

  Viewer viewer() const {
    if (!session) return {};
    return {session->user, session->recipient, session->csrf};
  }
  bool admin() const { return session && session->admin(); }
  bool linked() const { return session && !session->recipient.empty(); }
  std::string actor() const {
    if (admin()) return "web:" + session->user;
    if (linked()) return "link:" + session->recipient;
    return "web";
  }
};

Console::Console(WebConfig config, std::string link_key, ConsoleServices services)
    : config_(std::move(config)),
      links_(std::move(link_key)),
      services_(std::move(services)),
      limiter_(config_.login_failures, config_.login_window),
      audit_log_(config_.audit_log) {}

void Console::reconfigure(const WebConfig& fresh) {
  limiter_.setLimits(fresh.login_failures, fresh.login_window);
  config_.users = fresh.users;
  config_.session_lifetime = fresh.session_lifetime;
  config_.login_failures = fresh.login_failures;
  config_.login_window = fresh.login_window;
  config_.link_lifetime = fresh.link_lifetime;
  config_.public_url = fresh.public_url;
  config_.page_size = fresh.page_size;
  config_.history_period = fresh.history_period;
  config_.max_field_length = fresh.max_field_length;
  config_.max_shown_text = fresh.max_shown_text;
}

std::string Console::cookieName() const {
  // The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain.
  return config_.https ? "__Host-portcullis" : "portcullis";
}

std::string Console::sessionCookie(const std::string& id,
                                   std::chrono::milliseconds lifetime) const {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(lifetime).count();
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", cookieName(), id,
                     std::max<int64_t>(seconds, 0), config_.https ? "; Secure" : "");
}

HttpResponse Console::handle(const HttpRequest& request) {
  Context context{request, parseTarget(request.target), {}, {}, {}};
  context.session_id = cookieValue(request.cookie, cookieName());
  if (!context.session_id.empty()) {
    context.session = sessions_.find(context.session_id, context.now);
  }
  if (request.method == "POST") context.form = parseForm(request.body);
  HttpResponse response = route(context);
  for (const auto& [name, value] : kSecurityHeaders) response.headers.emplace_back(name, value);
  if (config_.https) {
    response.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  }
  return response;
}

HttpResponse Console::route(Context& c) {
  const std::string& path = c.target.path;
  bool get = c.request.method == "GET";
  bool post = c.request.method == "POST";
  if (!get && !post) return note(c, 405, "Not allowed", "Only GET and POST are served.");
  if (path == "/") return redirect(c.admin() ? "/quarantine" : c.linked() ? "/mine" : "/login");
  if (path == "/login") return get ? loginForm("") : login(c);
  if (path == "/r" && get) return openLink(c);
  if (path == "/logout" && post) return logout(c);

  // "/message/ID[/ACTION]" and "/mine[/ID[/ACTION]]".
  bool admin_area = path == "/quarantine" || path == "/history" || path.rfind("/message/", 0) == 0;
  bool link_area = path == "/mine" || path.rfind("/mine/", 0) == 0;
  if (!admin_area && !link_area) return note(c, 404, "Not found", "There is no such page.");
  if (admin_area && !c.admin()) {
    if (get) return redirect("/login");
    return note(c, 403, "Not logged in", "Log in first. Nothing was changed.", "/login");
  }
  if (link_area && !c.linked()) {
    return note(c, 403, "Link needed",
                "Open the link from your quarantine digest to see your messages.");
  }
  if (path == "/quarantine" && get) return list(c, true);
  if (path == "/history" && get) return history(c);
  if (path == "/mine" && get) return list(c, false);
  std::string_view rest = std::string_view(path).substr(admin_area ? 9 : 6);
  size_t slash = rest.find('/');
  std::string id(rest.substr(0, slash));
  if (slash == std::string_view::npos) {
    if (get) return show(c, id, admin_area);
  } else if (post) {
    return act(c, id, std::string(rest.substr(slash + 1)), admin_area);
  }
  return note(c, 405, "Not allowed", "This page does not take that method.");
}

HttpResponse Console::note(Context& c, int status, std::string_view title, std::string_view text,
                           std::string_view back) {
  HttpResponse r;
  r.status = status;
  r.body = notePage(c.viewer(), title, text, back);
  return r;
}

void Console::audit(const Context& c, std::string action, std::string id, bool ok,
                    std::string detail) {
  quarantine::AuditRecord record{c.actor(), c.request.client, std::move(action), std::move(id),
                                 ok,        std::move(detail)};
  std::string line = quarantine::auditLine(record, c.now);
  // Without the time (the log line has its own) and the newline.
  spdlog::info("web: {}", std::string_view(line).substr(21, line.size() - 22));
  if (auto written = audit_log_.append(record, c.now); !written) {
    spdlog::error("web: {}", written.error);
  }
}

HttpResponse Console::loginForm(std::string_view error, int status) {
  std::string token = randomToken();
  HttpResponse r;
  r.status = status;
  r.body = loginPage(token, error);
  r.headers.emplace_back(
      "Set-Cookie",
      fmt::format("{}_login={}; Path=/login; Max-Age={}; HttpOnly; SameSite=Strict{}",
                  config_.https ? "__Secure-portcullis" : "portcullis", token,
                  std::chrono::duration_cast<std::chrono::seconds>(kLoginFormLifetime).count(),
                  config_.https ? "; Secure" : ""));
  return r;
}

HttpResponse Console::login(Context& c) {
  const std::string& client = c.request.client;
  std::string user = field(c.form, "user");
  if (!limiter_.allowed(client, c.now)) {
    audit(c, "login-refused", "", false, "too many failed logins for " + user);
    return loginForm("Too many failed logins from your address; try again later.", 429);
  }
  std::string expected = cookieValue(
      c.request.cookie, config_.https ? "__Secure-portcullis_login" : "portcullis_login");
  if (expected.empty() || !constantTimeEquals(expected, field(c.form, "login_token"))) {
    audit(c, "login-refused", "", false, "login form token missing or wrong");
    return loginForm("The login form expired; please try again.", 403);
  }
  std::string password = field(c.form, "password");
  auto account = config_.users.find(user);
  bool valid = false;
  if (account == config_.users.end()) {
    verifyNothing(password);
  } else {
    valid = verifyPassword(account->second, password);
  }
  if (!valid) {
    limiter_.failed(client, c.now);
    audit(c, "login-failed", "", false, "user " + user);
    return loginForm("Wrong user name or password.", 401);
  }
  limiter_.succeeded(client);
  auto id = sessions_.create({user, "", "", c.now + config_.session_lifetime}, c.now);
  if (!id) return note(c, 503, "Busy", "Too many open sessions; try again later.");
  c.session = sessions_.find(*id, c.now);
  audit(c, "login", "", true, "");
  HttpResponse r = redirect("/quarantine");
  r.headers.emplace_back("Set-Cookie", sessionCookie(*id, config_.session_lifetime));
  return r;
}

HttpResponse Console::logout(Context& c) {
  if (c.session && csrfValid(*c.session, field(c.form, "csrf"))) {
    audit(c, "logout", "", true, "");
    sessions_.remove(c.session_id);
  }
  HttpResponse r = redirect("/login");
  r.headers.emplace_back("Set-Cookie", sessionCookie("", std::chrono::milliseconds(0)));
  return r;
}

HttpResponse Console::list(Context& c, bool admin) {
  ListPage page;
  page.base = admin ? "/quarantine" : "/mine";
  page.item_base = admin ? "/message" : "/mine";
  size_t number = 1;
  std::string page_text = field(c.target.query, "page");
  if (!page_text.empty()) {
    number = std::clamp<size_t>(std::strtoull(page_text.c_str(), nullptr, 10), 1, kMaxPage);
  }
  quarantine::Filter filter;
  if (admin) {
    SearchForm& s = page.search;
    s = {field(c.target.query, "sender"),  field(c.target.query, "rcpt"),
         field(c.target.query, "subject"), field(c.target.query, "symbol"),
         field(c.target.query, "since"),   field(c.target.query, "until")};
    filter.sender = s.sender;
    filter.rcpt = s.rcpt;
    filter.partial_addresses = true;
    filter.subject = s.subject;
    filter.symbol = s.symbol;
    if (!s.since.empty()) {
      filter.since = parseDay(s.since);
      if (!filter.since)
        return note(c, 400, "Bad date", "From date: use YYYY-MM-DD.", "/quarantine");
    }
    if (!s.until.empty()) {
      filter.until = parseDay(s.until);
      if (!filter.until) return note(c, 400, "Bad date", "To date: use YYYY-MM-DD.", "/quarantine");
      *filter.until += std::chrono::hours(24);  // the whole day
    }
  } else {
    filter.rcpt = c.session->recipient;
  }
  filter.offset = (number - 1) * config_.page_size;
  filter.limit = config_.page_size + 1;
  auto entries = services_.quarantine->list(filter);
  if (!entries) {
    spdlog::error("web: {}", entries.error);
    return note(c, 500, "Error", "The quarantine index cannot be read: " + entries.error);
  }
  page.page = number;
  page.has_next = entries->size() > config_.page_size;
  if (page.has_next) entries->resize(config_.page_size);
  page.entries = std::move(*entries);
  HttpResponse r;
  r.body = listPage(c.viewer(), {config_.max_field_length}, page);
  return r;
}

HttpResponse Console::show(Context& c, const std::string& id, bool admin) {
  std::string back = admin ? "/quarantine" : "/mine";
  auto shown = isValidQueueId(id)
                   ? services_.quarantine->show(id)
                   : quarantine::Result<quarantine::ShownEntry>::failure("no quarantined message");
  bool missing = !shown && shown.error.rfind("no quarantined message", 0) == 0;
  if (!shown && admin && !missing) {
    // A damaged entry: say what is wrong with it (the recovery at the next start moves it aside).
    return note(c, 500, "Cannot read the message", shown.error, back);
  }
  // A recipient learns nothing about other people's messages: "not found" either way.
  if (!shown || (!admin && !addressedTo(shown->entry, c.session->recipient))) {
    return note(c, 404, "Not found", "There is no such message in the quarantine.", back);
  }
  MessagePage page;
  page.base = admin ? "/message" : "/mine";
  page.can_act = admin || addressedOnlyTo(shown->entry, c.session->recipient);
  page.can_learn = admin && services_.learn_ham != nullptr;
  auto message = services_.quarantine->message(id);
  if (!message) {
    page.view_error = "The stored message cannot be read: " + message.error;
  } else if (auto view = viewMessage(*message, config_.max_shown_text); !view) {
    page.view_error = view.error;
  } else {
    page.view = std::move(*view);
  }
  if (admin && message && services_.explain) {
    page.evidence = services_.explain(*message);
    page.explained = true;
  }
  page.shown = std::move(*shown);
  HttpResponse r;
  r.body = messagePage(c.viewer(), {config_.max_field_length}, page);
  return r;
}

HttpResponse Console::act(Context& c, const std::string& id, const std::string& action,
                          bool admin) {
  std::string back = admin ? "/quarantine" : "/mine";
  if (!csrfValid(*c.session, field(c.form, "csrf"))) {
    audit(c, action, id, false, "refused: CSRF token missing or wrong");
    return note(c, 403, "Refused",
                "This form did not come from your session of the console. Nothing was changed.",
                back);
  }
  bool release = action == "release" || (action == "release-learn" && admin);
  if (!release && action != "delete") return note(c, 404, "Not found", "No such action.", back);
  auto shown = isValidQueueId(id)
                   ? services_.quarantine->show(id)
                   : quarantine::Result<quarantine::ShownEntry>::failure("no quarantined message");
  if (!shown || (!admin && !addressedOnlyTo(shown->entry, c.session->recipient))) {
    audit(c, action, id, false, shown ? "not addressed to this recipient alone" : shown.error);
    return note(c, 404, "Not found", "There is no such message in the quarantine.", back);
  }
  if (!release) {
    auto removed = services_.quarantine->remove(id);
    audit(c, action, id, bool(removed), removed ? "" : removed.error);
    if (!removed) return note(c, 500, "Not deleted", removed.error, back);
    return note(c, 200, "Deleted", "Message " + id + " was deleted.", back);
  }
  if (!services_.release) {
    return note(c, 503, "Not available", "This gateway has no delivery queue to release to.", back);
  }
  std::optional<std::string> learnable;
  if (action == "release-learn" && services_.learn_ham) {
    if (auto message = services_.quarantine->message(id)) learnable = std::move(*message);
  }
  auto queued = services_.release(id);
  if (!queued) {
    audit(c, action, id, false, queued.error);
    return note(c, 500, "Not released", queued.error, back);
  }
  std::string text = "Message " + id + " was released, queued as " + *queued + ".";
  std::string learnt;
  if (learnable) {
    learnt = services_.learn_ham(*learnable);
    text += " " + learnt;
  }
  audit(c, action, id, true, "queued as " + *queued + (learnt.empty() ? "" : "; " + learnt));
  return note(c, 200, "Released", text, back);
}

HttpResponse Console::history(Context& c) {
  auto counts = services_.quarantine->hourlyCounts(c.now - config_.history_period);
  if (!counts) return note(c, 500, "Error", "The quarantine index cannot be read: " + counts.error);
  std::map<spool::TimePoint, HistoryHour, std::greater<>> by_hour;  // newest first
  for (const auto& h : *counts) by_hour[h.hour].count = h.count;
  if (services_.verdicts) {
    auto verdicts = services_.verdicts->hours(c.now - config_.history_period);
    if (!verdicts)
      return note(c, 500, "Error", "The verdict history cannot be read: " + verdicts.error);
    for (const auto& h : *verdicts) by_hour[h.hour].verdicts = h.counts;
  }
  std::vector<HistoryHour> hours;
  for (auto& [hour, h] : by_hour) {
    h.hour = fmt::format("{:%Y-%m-%d %H:00}", std::chrono::floor<std::chrono::seconds>(hour));
    hours.push_back(std::move(h));
  }
  HttpResponse r;
  r.body = historyPage(c.viewer(), hours, services_.verdicts != nullptr);
  return r;
}

HttpResponse Console::openLink(Context& c) {
  const std::string& client = c.request.client;
  std::string rcpt = field(c.target.query, "rcpt");
  if (!limiter_.allowed(client, c.now)) {
    audit(c, "link-refused", "", false, "too many failed attempts; link for " + rcpt);
    return note(c, 429, "Too many attempts",
                "Too many invalid links from your address; try later.");
  }
  LinkCheck check =
      links_.check(rcpt, field(c.target.query, "exp"), field(c.target.query, "sig"), c.now);
  if (check != LinkCheck::Valid) {
    bool expired = check == LinkCheck::Expired;
    if (!expired) limiter_.failed(client, c.now);
    audit(c, "link-refused", "", false,
          (expired ? "expired link for " : "invalid link for ") + rcpt);
    return note(c, 403, expired ? "Link expired" : "Invalid link",
                expired ? "This link has expired; use the link in your latest digest."
                        : "This link is not valid.");
  }
  auto expires = spool::TimePoint(
      std::chrono::seconds(std::strtoll(field(c.target.query, "exp").c_str(), nullptr, 10)));
  expires = std::min(expires, c.now + config_.session_lifetime);
  auto id = sessions_.create({"", RecipientLinks::normalized(rcpt), "", expires}, c.now);
  if (!id) return note(c, 503, "Busy", "Too many open sessions; try again later.");
  c.session = sessions_.find(*id, c.now);
  audit(c, "link-open", "", true, "");
  HttpResponse r = redirect("/mine");
  r.headers.emplace_back(
      "Set-Cookie",
      sessionCookie(*id, std::chrono::duration_cast<std::chrono::milliseconds>(expires - c.now)));
  return r;
}

}  // namespace portcullis::web
