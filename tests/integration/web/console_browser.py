#!/usr/bin/python3
"""Drives the Portcullis web console in Debian's headless Chromium (chromium-driver, python3-selenium).

Run by web_console_browser_test, which seeds the quarantine, starts the gateway and passes the
message ids and the signed links. Every check that fails is printed; the exit status is the number
of failures (0: all passed). Screenshots of the main pages go to --screenshots.
Only 127.0.0.1 is contacted: Chromium's background networking is switched off.
"""
import argparse
import smtplib
import sys
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

failures = []


def check(condition, what):
    if condition:
        print("ok:", what)
    else:
        print("FAILED:", what)
        failures.append(what)


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-default-apps", "--disable-sync", "--no-first-run",
                 "--disable-extensions", "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def click(driver, element):
    """Clicks a link or a submit button and waits until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        try:
            page.is_enabled()
            return False
        except WebDriverException:  # stale, or (chromedriver) "does not belong to the document"
            return True

    WebDriverWait(driver, 20).until(replaced)


def row_ids(driver):
    return [r.get_attribute("data-id")
            for r in driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr")]


def note(driver):
    try:
        return driver.find_element(By.ID, "note").text
    except NoSuchElementException:
        return ""


def login(driver, url, user, password):
    driver.get(url + "/login")
    driver.find_element(By.NAME, "user").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    click(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def forged_post(url, path, cookie, fields):
    """A POST carrying the victim's session cookie but not the session's CSRF token, as a forged
    cross-site form would (if the browser sent the cookie at all). Returns the HTTP status."""
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url + path, data=data, method="POST")
    request.add_header("Cookie", cookie["name"] + "=" + cookie["value"])
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def send_blocked_attachment(port):
    """Sends a message with an .exe attachment, which [checks.attachments] rejects: a verdict
    that only the verdict history records. Returns the SMTP reply code."""
    message = ("From: sender@remote.test\r\nTo: bob@example.org\r\nSubject: invoice\r\n"
               "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
               "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
               "--b\r\nContent-Type: application/octet-stream\r\n"
               "Content-Disposition: attachment; filename=invoice.exe\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        try:
            smtp.sendmail("sender@remote.test", ["bob@example.org"], message)
            return 250
        except smtplib.SMTPDataError as error:
            return error.smtp_code


def admin_flow(driver, a):
    url = a.url
    code = send_blocked_attachment(int(a.smtp_port))
    check(code == 554, "the blocked attachment is rejected over SMTP (got %s)" % code)
    login(driver, url, a.user, "wrong password")
    check("Wrong user name or password" in driver.page_source, "a wrong password is refused")
    check(driver.find_elements(By.ID, "messages") == [], "no list without logging in")
    driver.get(url + "/quarantine")
    check(driver.current_url.endswith("/login"), "the list redirects to the login page")
    driver.save_screenshot(a.screenshots + "/login.png")

    login(driver, url, a.user, a.password)
    check(driver.current_url.endswith("/quarantine"), "login leads to the quarantine list")
    cookie = driver.get_cookie("portcullis")
    check(cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict",
          "the session cookie is HttpOnly and SameSite=Strict")
    # page_size = 3: the newest three, then the older two on page 2.
    check(row_ids(driver) == [a.shared, a.photos, a.newsletter], "page 1 lists the newest three")
    driver.save_screenshot(a.screenshots + "/quarantine-list.png")
    click(driver, driver.find_element(By.ID, "next"))
    check(row_ids(driver) == [a.hostile, a.watches], "page 2 lists the older two")

    def search(**fields):
        driver.get(url + "/quarantine?" + urllib.parse.urlencode(fields))
        return row_ids(driver)

    check(search(subject="watches") == [a.watches], "search by subject")
    check(search(sender="letters.test") == [a.newsletter], "search by a part of the sender")
    check(search(rcpt="carol@") == [a.shared, a.hostile], "search by recipient")
    check(search(symbol="bayes_99") == [a.hostile, a.watches], "search by symbol")
    check(search(symbol="BAYES_99", rcpt="bob") == [a.watches], "criteria combine")
    check(search(since="2000-01-01", until="2000-01-02") == [], "search by date")
    # Typed into the form, as a user would.
    driver.get(url + "/quarantine")
    driver.find_element(By.NAME, "subject").send_keys("photos")
    click(driver, driver.find_element(By.CSS_SELECTOR, "form.search button"))
    check(row_ids(driver) == [a.photos], "the search form")
    driver.save_screenshot(a.screenshots + "/quarantine-search.png")

    # The hostile message: shown escaped, cut, without running or loading anything.
    driver.get(url + "/quarantine?subject=alert")
    check(row_ids(driver) == [a.hostile], "the hostile message is listed")
    check(driver.find_elements(By.CSS_SELECTOR, "main script") == [], "no script from a subject")
    click(driver, driver.find_element(By.CSS_SELECTOR, "#messages a"))
    title = driver.find_element(By.CSS_SELECTOR, "h1.subject").text
    check("<script>alert(1)</script>" in title, "the hostile subject is shown as text")
    check("\u202e" not in title and "\x01" not in title, "control and bidi characters are masked")
    check(driver.title != "pwned" and driver.find_elements(By.TAG_NAME, "script") == [],
          "the message's script is neither kept nor run")
    check(driver.find_elements(By.TAG_NAME, "img") == [], "no image of the message is loaded")
    check(driver.find_elements(By.CSS_SELECTOR, "#text a") == [], "no link of the message")
    text = driver.find_element(By.ID, "text").text
    check("carol" in text and "<p>" not in text, "the HTML part is shown as plain text")
    huge = [row for row in driver.find_elements(By.CSS_SELECTOR, "#headers tr")
            if row.find_element(By.TAG_NAME, "th").text == "X-Huge"]
    check(len(huge) == 1 and len(huge[0].find_element(By.TAG_NAME, "td").text) < 5000,
          "a 1 MB header field is cut")
    symbols = driver.find_element(By.ID, "symbols").text
    check("HTML_SCRIPT" in symbols and "4.00" in symbols, "symbols with their scores")
    check('matched "<script>alert(2)</script>"' in symbols, "a symbol's evidence, as text")
    why = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#symbols .why")]
    check(why == ['matched "<b>evil"'], "what the loaded rules match, as text: %r" % why)
    driver.save_screenshot(a.screenshots + "/message.png")

    # A forged POST with the session cookie but without the CSRF token changes nothing.
    status = forged_post(url, "/message/%s/delete" % a.hostile, cookie, {})
    check(status == 403, "a POST without the CSRF token is refused (got %s)" % status)
    status = forged_post(url, "/message/%s/delete" % a.hostile, cookie, {"csrf": "guess"})
    check(status == 403, "a POST with a wrong CSRF token is refused (got %s)" % status)
    driver.get(url + "/quarantine?subject=alert")
    check(row_ids(driver) == [a.hostile], "the forged POST deleted nothing")

    # Release (and learn as ham) and delete with the page's own buttons.
    driver.get(url + "/message/" + a.watches)
    click(driver, driver.find_element(By.ID, "release-learn"))
    check("was released, queued as" in note(driver) and "learnt as ham" in note(driver),
          "release and learn as ham: " + note(driver))
    driver.get(url + "/message/" + a.newsletter)
    click(driver, driver.find_element(By.ID, "delete"))
    check("was deleted" in note(driver), "delete: " + note(driver))
    driver.get(url + "/quarantine")
    check(a.watches not in row_ids(driver) and a.newsletter not in row_ids(driver),
          "released and deleted messages leave the list")
    driver.get(url + "/message/" + a.newsletter)
    check("no such message" in driver.page_source, "a deleted message is gone")

    driver.get(url + "/history")
    counts = driver.find_elements(By.CSS_SELECTOR, "#history td.quarantined")
    check(sum(int(c.text) for c in counts) == 3, "the history counts the quarantined messages")
    rejects = driver.find_elements(By.CSS_SELECTOR, "#history td.reject")
    check(sum(int(c.text) for c in rejects) == 1,
          "the history counts the verdict of the message rejected over SMTP")
    driver.save_screenshot(a.screenshots + "/history.png")

    driver.get(url + "/quarantine")
    click(driver, driver.find_element(By.CSS_SELECTOR, "header form button"))
    driver.get(url + "/quarantine")
    check(driver.current_url.endswith("/login"), "logged out")


def recipient_flow(driver, a):
    url = a.url
    for link, expected in ((a.changed_sig_link, "not valid"), (a.changed_rcpt_link, "not valid"),
                           (a.expired_link, "expired")):
        driver.get(link)
        check(expected in note(driver), "a changed or expired link is refused: " + note(driver))
        driver.get(url + "/mine")
        check(row_ids(driver) == [], "a refused link opens nothing")
    driver.get(url + "/message/" + a.hostile)
    check(driver.current_url.endswith("/login"), "a link session is not an administrator")

    driver.get(a.bob_link)
    check(driver.current_url.endswith("/mine"), "bob's link opens his list")
    check(row_ids(driver) == [a.shared, a.photos], "bob sees his own messages only")
    driver.save_screenshot(a.screenshots + "/recipient-list.png")
    driver.get(url + "/mine/" + a.hostile)
    check("no such message" in driver.page_source and a.hostile not in driver.page_source,
          "bob cannot open carol's message")
    driver.get(url + "/quarantine")
    check(driver.current_url.endswith("/login"), "bob cannot open the administrators' list")

    cookie = driver.get_cookie("portcullis")
    status = forged_post(url, "/mine/%s/delete" % a.hostile, cookie, {"csrf": "x"})
    check(status == 403, "a forged POST from a link session is refused (got %s)" % status)

    driver.get(url + "/mine/" + a.shared)
    check(driver.find_elements(By.ID, "release") == [],
          "no release of a message also addressed to carol")
    driver.get(url + "/mine/" + a.photos)
    driver.save_screenshot(a.screenshots + "/recipient-message.png")
    click(driver, driver.find_element(By.ID, "release"))
    check("was released" in note(driver), "bob releases his message: " + note(driver))
    driver.get(url + "/mine")
    check(row_ids(driver) == [a.shared], "the released message leaves bob's list")


def main():
    parser = argparse.ArgumentParser()
    for name in ("url", "user", "password", "screenshots", "watches", "hostile", "newsletter",
                 "photos", "shared", "bob-link", "expired-link", "changed-rcpt-link",
                 "changed-sig-link", "smtp-port"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()
    driver = make_driver()
    try:
        admin_flow(driver, args)
        driver.delete_all_cookies()
        recipient_flow(driver, args)
    except Exception:
        print("FAILED at", driver.current_url, "with the page:\n", driver.page_source[:4000])
        raise
    finally:
        driver.quit()
    print("%d checks failed" % len(failures))
    return min(len(failures), 100)


if __name__ == "__main__":
    sys.exit(main())
