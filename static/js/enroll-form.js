/* Enroll form: choosing a campaign fills in its minimum commission and its service fee,
 * choosing a product fills in its price and stock, unless the merchant already typed
 * something else there. The facts come as data- attributes on the options. */
(function () {
  "use strict";
  function prefill(select, fields) {
    if (!select) return;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      Object.keys(fields).forEach(function (fact) {
        var input = document.getElementById(fields[fact]);
        var value = option && option.dataset[fact];
        if (!input || value === undefined) return;
        if (input.value === "" || input.dataset.prefilled === input.value) {
          input.value = value;
          input.dataset.prefilled = value;
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    prefill(document.getElementById("id_campaign"), {
      commissionRate: "id_commission_rate",
      serviceFeeRate: "id_service_fee_rate"
    });
    prefill(document.getElementById("id_product"), {
      price: "id_campaign_price",
      stock: "id_promotion_stock"
    });
  });
})();
