/*
 * The council's feedback widget, after the GOV.UK Design System's feedback pattern.
 *
 * A service page embeds it with:
 *   <div class="dx-feedback" data-service="report-a-pothole" data-page="/report-a-pothole"
 *        [data-end-page]>
 *     <p><a href="COLLECTOR/feedback?service=...&page=...">Is this page useful? Tell us</a></p>
 *   </div>
 *   <script src="COLLECTOR/widget.js" defer></script>
 *
 * Without JavaScript the link inside the div stays: it leads to the collector's full form.
 * With JavaScript the div becomes "Is this page useful? Yes / No", "Report a problem with
 * this page" and, on a service's end page (data-end-page), the satisfaction question.
 * No inline script, handlers or styles: works under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var scriptBase = script && script.src ? script.src.replace(/\/widget\.js(?:[?#].*)?$/, "") : "";
  var THANKS = "Thank you for your feedback";
  var NO_PERSONAL =
    "Do not include personal information such as your name, email address, phone number, " +
    "address or any reference numbers.";
  var RATINGS = [
    ["5", "Very satisfied"],
    ["4", "Satisfied"],
    ["3", "Neither satisfied or dissatisfied"],
    ["2", "Dissatisfied"],
    ["1", "Very dissatisfied"]
  ];
  var counter = 0;

  function h(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      if (key === "text") node.textContent = attrs[key];
      else if (key === "hidden") node.hidden = !!attrs[key];
      else if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function ensureStylesheet(base) {
    if (document.querySelector("link[data-dx-feedback]")) return;
    document.head.appendChild(
      h("link", { rel: "stylesheet", href: base + "/widget.css", "data-dx-feedback": "" })
    );
  }

  function textarea(id, name, label, hint) {
    return h(
      "div",
      { class: "dx-field" },
      h("label", { class: "dx-label", for: id, text: label }),
      h("p", { class: "dx-hint", id: id + "-hint", text: hint || "At most 1,200 characters." }),
      h("p", { class: "dx-error-message", id: id + "-error", hidden: true }),
      h("textarea", {
        class: "dx-textarea",
        id: id,
        name: name,
        rows: "3",
        maxlength: "1200",
        "aria-describedby": id + "-hint"
      })
    );
  }

  function radios(id, name, legend, options, asHeading) {
    var fieldset = h(
      "fieldset",
      { class: "dx-fieldset" },
      h("legend", { class: "dx-legend" }, asHeading ? h("h2", { text: legend }) : legend)
    );
    options.forEach(function (option, index) {
      var inputId = id + "-" + index;
      fieldset.appendChild(
        h(
          "div",
          { class: "dx-radio" },
          h("input", { type: "radio", id: inputId, name: name, value: option[0] }),
          h("label", { for: inputId, text: option[1] })
        )
      );
    });
    return h("div", { class: "dx-field" }, fieldset);
  }

  function honeypot(id) {
    return h(
      "div",
      { class: "dx-feedback__hp" },
      h("label", { for: id, text: "Leave this field empty" }),
      h("input", { type: "text", id: id, name: "website", autocomplete: "off", tabindex: "-1" })
    );
  }

  function Widget(root) {
    this.root = root;
    this.id = "dx-feedback-" + ++counter;
    this.service = root.getAttribute("data-service") || "";
    this.page = root.getAttribute("data-page") || window.location.pathname;
    this.base = (root.getAttribute("data-collector") || scriptBase).replace(/\/$/, "");
    this.endPage = root.hasAttribute("data-end-page");
    this.render();
  }

  Widget.prototype.render = function () {
    var id = this.id;
    var self = this;
    this.status = h("p", {
      class: "dx-feedback__status",
      role: "status",
      "aria-live": "polite",
      tabindex: "-1",
      id: id + "-status"
    });
    this.yes = h(
      "button",
      { type: "button", class: "dx-button dx-button--secondary" },
      "Yes",
      h("span", { class: "dx-visually-hidden", text: " this page is useful" })
    );
    this.no = h(
      "button",
      { type: "button", class: "dx-button dx-button--secondary", "aria-expanded": "false" },
      "No",
      h("span", { class: "dx-visually-hidden", text: " this page is not useful" })
    );
    this.report = h("button", {
      type: "button",
      class: "dx-button dx-button--secondary",
      "aria-expanded": "false",
      "aria-controls": id + "-problem",
      text: "Report a problem with this page"
    });
    this.no.setAttribute("aria-controls", id + "-problem");
    this.questions = h(
      "div",
      { class: "dx-feedback__questions" },
      h("h2", { id: id + "-useful", text: "Is this page useful?" }),
      h(
        "ul",
        { class: "dx-feedback__options", "aria-labelledby": id + "-useful" },
        h("li", null, this.yes),
        h("li", null, this.no)
      ),
      this.report
    );
    this.problemHeading = h("h2", {
      id: id + "-problem-heading",
      tabindex: "-1",
      text: "Help us improve this page"
    });
    this.cancel = h("button", {
      type: "button",
      class: "dx-button dx-button--secondary",
      text: "Cancel"
    });
    this.problem = h(
      "form",
      {
        class: "dx-feedback__form",
        id: id + "-problem",
        "aria-labelledby": id + "-problem-heading",
        novalidate: "",
        hidden: true
      },
      this.problemHeading,
      h("p", { class: "dx-hint", text: NO_PERSONAL }),
      textarea(id + "-what-doing", "what_doing", "What were you doing?"),
      textarea(id + "-what-wrong", "what_wrong", "What went wrong?"),
      honeypot(id + "-website-problem"),
      h("button", { type: "submit", class: "dx-button", text: "Send" }),
      this.cancel
    );
    var children = [this.questions, this.problem];
    if (this.endPage) {
      this.satisfaction = h(
        "form",
        { class: "dx-feedback__form", id: id + "-satisfaction", novalidate: "" },
        radios(
          id + "-rating",
          "rating",
          "Overall, how satisfied were you with this service today?",
          RATINGS,
          true
        ),
        h("p", { class: "dx-error-message", id: id + "-rating-error", hidden: true }),
        radios(id + "-completed", "completed", "Did you finish what you came to do today?", [
          ["yes", "Yes"],
          ["partly", "Partly"],
          ["no", "No"]
        ]),
        textarea(id + "-comment", "comment", "How could we improve this service?", NO_PERSONAL),
        honeypot(id + "-website-satisfaction"),
        h("button", { type: "submit", class: "dx-button", text: "Send feedback" })
      );
      children.unshift(this.satisfaction);
    }
    children.push(this.status);
    var section = h("section", { class: "dx-feedback__inner", "aria-label": "Feedback about this page" });
    children.forEach(function (child) {
      section.appendChild(child);
    });
    this.root.textContent = "";
    this.root.appendChild(section);

    this.yes.addEventListener("click", function () {
      self.sendUseful(true);
    });
    this.no.addEventListener("click", function () {
      self.sendUseful(false);
      self.openProblem(self.no);
    });
    this.report.addEventListener("click", function () {
      self.openProblem(self.report);
    });
    this.cancel.addEventListener("click", function () {
      self.closeProblem();
    });
    this.problem.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submitProblem();
    });
    if (this.satisfaction) {
      this.satisfaction.addEventListener("submit", function (event) {
        event.preventDefault();
        self.submitSatisfaction();
      });
    }
    if (/(?:^|[?&])dx-feedback=thanks(?:&|$)/.test(window.location.search)) {
      this.say(THANKS, false);
    }
  };

  Widget.prototype.say = function (message, isError) {
    this.status.className = "dx-feedback__status" + (isError ? " dx-feedback__status--error" : "");
    this.status.textContent = message;
  };

  Widget.prototype.openProblem = function (opener) {
    this.opener = opener;
    this.problem.hidden = false;
    this.no.setAttribute("aria-expanded", "true");
    this.report.setAttribute("aria-expanded", "true");
    this.problemHeading.focus();
  };

  Widget.prototype.closeProblem = function () {
    this.problem.hidden = true;
    this.no.setAttribute("aria-expanded", "false");
    this.report.setAttribute("aria-expanded", "false");
    (this.opener || this.report).focus();
  };

  Widget.prototype.post = function (payload) {
    payload.service = this.service;
    payload.page = this.page;
    return window
      .fetch(this.base + "/api/feedback?source=widget", {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload)
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (response.ok) return body;
            var detail = (body && body.detail) || [];
            var error = new Error(
              response.status === 429
                ? "You have sent a lot of feedback in a short time. Please try again in a minute."
                : "Sorry, there is a problem with your feedback: " +
                    detail
                      .map(function (item) {
                        return item.field.replace(/_/g, " ") + " " + item.message;
                      })
                      .join("; ")
            );
            error.fields = detail;
            throw error;
          });
      });
  };

  Widget.prototype.failed = function (error, form) {
    var message =
      error && error.fields ? error.message : "Sorry, we could not send your feedback. Please try again.";
    this.say(message, true);
    if (form) {
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = false;
    }
  };

  Widget.prototype.done = function () {
    this.questions.hidden = true;
    this.problem.hidden = true;
    if (this.satisfaction) this.satisfaction.hidden = true;
    this.say(THANKS, false);
    this.status.focus();
  };

  Widget.prototype.sendUseful = function (useful) {
    var self = this;
    var request = this.post({ kind: "page_useful", useful: useful });
    if (useful) {
      request.then(
        function () {
          self.done();
        },
        function (error) {
          self.failed(error);
        }
      );
    } else {
      request.catch(function () {
        /* the problem form is still open: the resident can tell us what went wrong */
      });
    }
  };

  function showFieldError(form, name, message) {
    var field = form.querySelector("[name=" + name + "]");
    var box = form.querySelector("#" + (field && field.id) + "-error");
    if (!field || !box) return;
    box.textContent = message;
    box.hidden = false;
    field.setAttribute("aria-describedby", field.id + "-hint " + box.id);
    field.setAttribute("aria-invalid", "true");
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".dx-error-message"), function (box) {
      box.hidden = true;
      box.textContent = "";
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
      field.removeAttribute("aria-invalid");
      field.setAttribute("aria-describedby", field.id + "-hint");
    });
  }

  Widget.prototype.submit = function (form, payload) {
    var self = this;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    this.say("Sending your feedback…", false);
    this.post(payload).then(
      function () {
        self.done();
      },
      function (error) {
        (error.fields || []).forEach(function (item) {
          showFieldError(form, item.field, item.message);
        });
        self.failed(error, form);
      }
    );
  };

  Widget.prototype.submitProblem = function () {
    var form = this.problem;
    clearErrors(form);
    var doing = form.elements.what_doing.value.trim();
    var wrong = form.elements.what_wrong.value.trim();
    if (!doing && !wrong) {
      showFieldError(form, "what_wrong", "Tell us what went wrong");
      this.say("There is a problem: tell us what went wrong", true);
      form.elements.what_wrong.focus();
      return;
    }
    this.submit(form, {
      kind: "problem",
      what_doing: doing,
      what_wrong: wrong,
      website: form.elements.website.value
    });
  };

  Widget.prototype.submitSatisfaction = function () {
    var form = this.satisfaction;
    clearErrors(form);
    var rating = form.querySelector("input[name=rating]:checked");
    var completed = form.querySelector("input[name=completed]:checked");
    if (!rating) {
      var box = form.querySelector("#" + this.id + "-rating-error");
      box.textContent = "Select how satisfied you were with this service";
      box.hidden = false;
      this.say("There is a problem: select how satisfied you were with this service", true);
      form.querySelector("input[name=rating]").focus();
      return;
    }
    this.submit(form, {
      kind: "satisfaction",
      rating: Number(rating.value),
      completed: completed ? completed.value : null,
      comment: form.elements.comment.value.trim(),
      website: form.elements.website.value
    });
  };

  function start() {
    var roots = document.querySelectorAll(".dx-feedback[data-service]");
    if (!roots.length) return;
    ensureStylesheet((roots[0].getAttribute("data-collector") || scriptBase).replace(/\/$/, ""));
    Array.prototype.forEach.call(roots, function (root) {
      if (!root.hasAttribute("data-dx-ready")) {
        root.setAttribute("data-dx-ready", "");
        new Widget(root);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
