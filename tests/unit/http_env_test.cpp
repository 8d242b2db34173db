#include <doctest/doctest.h>

#include <cstdlib>

#include "kit/http.hpp"

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
