// Submits a form marked data-auto-submit once the page has loaded (the return from a SAML
// identity provider); without JavaScript the person presses the form's button.
document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
  form.submit();
});
