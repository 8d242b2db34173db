#include <doctest/doctest.h>

#include <cstdlib>

#include "kit/env.hpp"
#include "kit/error.hpp"
#include "kit/http.hpp"
#include "kit/secrets.hpp"

// The client reads proxies from its kit::Env, never from the process: a made-up environment is
// all a test needs, and a process variable does not leak in. Nothing here leaves 127.0.0.1: the
// "proxy" is a closed port, so a request that goes through it fails to connect, and one that does
// not fails to resolve a .invalid name (or times out looking it up), never to connect.
TEST_CASE("http: proxies come from the client's Env, not from the process environment") {
  kit::HttpRequest req;
  req.url = "http://yonima-test.invalid/health";
  req.connect_timeout = kit::Millis(2000);
  req.total_timeout = kit::Millis(4000);

  kit::HttpClient proxied(kit::Env(std::map<std::string, std::string>{{"HTTP_PROXY", "http://127.0.0.1:1"}}));
  auto via_proxy = proxied.send(req);
  CHECK(via_proxy.error == kit::TransportError::connect);

  ::setenv("http_proxy", "http://127.0.0.1:1", 1);
  kit::HttpClient direct(kit::Env(std::map<std::string, std::string>{}));
  auto no_proxy = direct.send(req);
  ::unsetenv("http_proxy");
  CHECK_FALSE(no_proxy.ok());
  CHECK(no_proxy.error != kit::TransportError::connect);  // host not found (or its lookup timed out): no proxy tried

  // Nor does a process no_proxy: the client's Env has none, so the proxy is used.
  ::setenv("no_proxy", "*", 1);
  auto still_proxied = proxied.send(req);
  ::unsetenv("no_proxy");
  CHECK(still_proxied.error == kit::TransportError::connect);

  kit::HttpClient bypass(kit::Env(std::map<std::string, std::string>{{"http_proxy", "http://127.0.0.1:1"}, {"NO_PROXY", ".invalid"}}));
  auto bypassed = bypass.send(req);
  CHECK_FALSE(bypassed.ok());
  CHECK(bypassed.error != kit::TransportError::connect);
}

TEST_CASE("http: origins and URL checks use libcurl's URL parser") {
  CHECK(kit::url_origin("HTTP://Example.COM/a?b") == "http://example.com:80");
  CHECK(kit::url_origin("https://example.com:8443/x") == "https://example.com:8443");
  CHECK(kit::url_origin("https://example.com/") != kit::url_origin("http://example.com/"));
  CHECK(kit::url_origin("not a url") == "");
  CHECK(kit::is_http_url("http://127.0.0.1:3000/health"));
  CHECK(kit::is_http_url("https://api.example.com"));
  CHECK_FALSE(kit::is_http_url("ftp://example.com/"));
  CHECK_FALSE(kit::is_http_url("/health"));
  CHECK_FALSE(kit::is_http_url("http://"));
}

TEST_CASE("http: a header value with a line break is refused before anything is sent") {
  // libcurl sends header lines as given: "\r\n" inside a value would forge a header of its own.
  kit::HttpClient client(kit::Env(std::map<std::string, std::string>{}));
  kit::HttpRequest req;
  req.url = "http://127.0.0.1:1/v1/projects";
  req.headers = {{"Authorization", "Bearer sbp_abc\r\nX-Injected: evil"}};
  try {
    client.send(req);
    FAIL("sent");
  } catch (const kit::Error& e) {
    CHECK(std::string(e.what()).find("header Authorization contains a line break") != std::string::npos);
    CHECK(std::string(e.what()).find("evil") == std::string::npos);
  }
  CHECK(client.requests_sent() == 0);
}

TEST_CASE("env: a credential loses the whitespace around it; a control character inside is refused unseen") {
  kit::Env env(std::map<std::string, std::string>{{"T1", "  sbp_abc\n"}, {"T2", "sbp_a\tbc"}, {"T3", " \n"}});
  CHECK(env.secret("T1") == std::optional<std::string>("sbp_abc"));
  CHECK_FALSE(env.secret("T3"));
  CHECK_FALSE(env.secret("UNSET"));
  try {
    env.secret("T2");
    FAIL("accepted");
  } catch (const kit::Error& e) {
    CHECK(e.code() == kit::Exit::usage);
    CHECK(std::string(e.what()).find("sbp_a") == std::string::npos);
  }
  CHECK(kit::secrets().redact("x sbp_abc y") == "x *** y");
  kit::secrets().clear();
}
