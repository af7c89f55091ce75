/* The sandbox's stand-in for Telegram's telegram-web-app.js (no external script loads here). Like Telegram's, it
   reads the launch parameters from the page's fragment (tgWebAppData, tgWebAppThemeParams, …), offers them as
   window.Telegram.WebApp, and hands the theme to the page as --tg-theme-* CSS variables. What Telegram would
   do around the page (close it, open a link, download a file) is asked of the sandbox page that framed it. */
(function () {
  "use strict";
  var launch = new URLSearchParams(window.location.hash.slice(1));
  var initData = launch.get("tgWebAppData") || "";
  var theme = {};
  try { theme = JSON.parse(launch.get("tgWebAppThemeParams") || "{}"); } catch (e) { theme = {}; }
  var data = new URLSearchParams(initData);
  var user = null;
  try { user = JSON.parse(data.get("user") || "null"); } catch (e) { user = null; }
  function around(what, detail) {
    if (window.parent !== window) window.parent.postMessage({ webapp: what, detail: detail }, window.location.origin);
  }
  var root = document.documentElement;
  Object.keys(theme).forEach(function (key) {
    root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), theme[key]);
  });
  var dark = theme.bg_color ? parseInt(theme.bg_color.slice(1, 3), 16) < 128 : false;
  function stub() { return { show: stub, hide: stub, onClick: stub, offClick: stub, setText: stub, enable: stub }; }
  window.Telegram = {
    WebApp: {
      initData: initData,
      initDataUnsafe: { user: user, auth_date: data.get("auth_date"), query_id: data.get("query_id") },
      version: launch.get("tgWebAppVersion") || "8.0",
      platform: launch.get("tgWebAppPlatform") || "unknown",
      colorScheme: dark ? "dark" : "light",
      themeParams: theme,
      isExpanded: false,
      ready: function () { around("ready"); },
      expand: function () { this.isExpanded = true; },
      close: function () { around("close"); },
      openLink: function (url) { window.open(url, "_blank", "noopener"); },
      openTelegramLink: function (url) { window.open(url, "_blank", "noopener"); },
      downloadFile: function (params) { around("download", params); },
      isVersionAtLeast: function (version) { return parseFloat(this.version) >= parseFloat(version); },
      showAlert: function (message, callback) { window.alert(message); if (callback) callback(); },
      onEvent: function () {}, offEvent: function () {},
      MainButton: stub(), BackButton: stub(),
      HapticFeedback: { impactOccurred: function () {}, notificationOccurred: function () {}, selectionChanged: function () {} },
    },
  };
})();
