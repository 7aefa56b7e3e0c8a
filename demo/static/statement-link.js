// The school admissions pages' footer comes from a supplier's template whose accessibility
// statement link is added by script: only a reader of the rendered page sees it.
document.querySelectorAll('.meta-links').forEach(function (list) {
  var item = document.createElement('li');
  var link = document.createElement('a');
  link.href = '/accessibility-statement';
  link.textContent = 'Accessibility statement';
  item.appendChild(link);
  list.insertBefore(item, list.firstChild);
});
