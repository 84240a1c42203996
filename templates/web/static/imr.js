// imr web: a little help on top of plain forms (everything works without it).
// A character counter under every text field that has a limit.
document.querySelectorAll("[data-limit]").forEach(function (field) {
  var limit = parseInt(field.getAttribute("data-limit"), 10);
  var counter = document.createElement("span");
  counter.className = "counter";
  counter.setAttribute("aria-live", "polite");
  field.insertAdjacentElement("afterend", counter);
  function update() {
    var n = Array.from(field.value).length;
    counter.textContent = n + " / " + limit;
    counter.classList.toggle("over", n > limit);
  }
  field.addEventListener("input", update);
  update();
});
// A form already sent is not sent twice by a second click (the server also refuses a repeat).
document.querySelectorAll("form[method=post]").forEach(function (form) {
  form.addEventListener("submit", function () {
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
});
