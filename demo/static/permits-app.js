// "Parking permits": the demo council's single-page app. A client-side router draws each
// route's view (fetched as JSON) into #app: path routes through history.pushState, and
// hash routes (#/visitors) kept from the app's first version.
(function () {
  'use strict';
  var app = document.getElementById('app');
  if (!app) { return; }
  var base = app.getAttribute('data-base');
  var drawn = 0;

  function route() {
    if (location.hash.indexOf('#/') === 0) { return base + location.hash; }
    var path = location.pathname.replace(/\/+$/, '');
    return path || base;
  }

  function draw(moved) {
    var wanted = route();
    var ticket = ++drawn;
    app.setAttribute('aria-busy', 'true');  // assistive technology: the view is being drawn
    fetch(base + '/api/view?route=' + encodeURIComponent(wanted),
      { headers: { Accept: 'application/json' } })
      .then(function (response) { return response.json(); })
      .then(function (view) {
        if (ticket !== drawn) { return; }  // a later route won
        app.innerHTML = view.html;
        document.title = view.title + ' - Example County Council';
        bind();
        app.setAttribute('aria-busy', 'false');
        if (moved) {  // after a change of route, focus goes to the new view's heading
          var heading = app.querySelector('h1');
          if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
        }
      });
  }

  function go(path) {
    history.pushState({ route: path }, '', path);
    draw(true);
  }

  function bind() {
    Array.prototype.forEach.call(app.querySelectorAll('a[data-route]'), function (link) {
      link.addEventListener('click', function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        go(link.getAttribute('href'));
      });
    });
    Array.prototype.forEach.call(app.querySelectorAll('button[data-route]'), function (button) {
      button.addEventListener('click', function () { go(button.getAttribute('data-route')); });
    });
    var toggle = document.getElementById('permits-menu-button');
    var menu = document.getElementById('permits-menu');
    if (toggle && menu) {
      toggle.addEventListener('click', function () {
        var open = toggle.getAttribute('aria-expanded') === 'true';
        toggle.setAttribute('aria-expanded', open ? 'false' : 'true');
        menu.hidden = open;
      });
      menu.addEventListener('keydown', function (event) {
        if (event.key === 'Escape') {
          toggle.setAttribute('aria-expanded', 'false');
          menu.hidden = true;
          toggle.focus();
        }
      });
    }
    var show = document.getElementById('zone-show');
    if (show) {
      show.addEventListener('click', function () {
        var street = document.getElementById('zone-street');
        var answer = document.getElementById('zone-answer');
        answer.textContent = street.value ? 'That street is in zone ' + street.value + '.'
          : 'Choose a street first.';
      });
    }
  }

  window.addEventListener('popstate', function () { draw(true); });
  window.addEventListener('hashchange', function () { draw(true); });
  draw(false);
})();
