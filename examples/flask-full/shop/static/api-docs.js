// Starts Swagger UI on /api/docs (templates/swagger_ui.html) with the API's OpenAPI document.
window.addEventListener("load", () => {
  const container = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: container.dataset.specUrl, dom_id: "#swagger-ui" });
});
