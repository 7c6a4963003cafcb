from django import forms
from django.db import models
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.csv_upload import CsvFileField
from merchants import selectors, services
from merchants.models import Category, Product


class CategoryTreeIterator(ModelChoiceIterator):
    """Categories in tree order, subcategories indented under their parent (one query)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for category in selectors.categories():
            label = "\u2003" * category.depth + category.name
            yield (ModelChoiceIteratorValue(category.pk, category), label)


class CategoryTreeField(forms.ModelChoiceField):
    iterator = CategoryTreeIterator

    def __init__(self, **kwargs):
        super().__init__(queryset=Category.objects.all(), **kwargs)


def url_fields_assume_https(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # Django 6's default; a bare "shop.cn/1" means https
    return model_field.formfield(**kwargs)


class ProductForm(forms.ModelForm):
    category = CategoryTreeField(label=_("Category"))

    class Meta:
        model = Product
        fields = list(services.PRODUCT_FIELDS)
        formfield_callback = url_fields_assume_https
        widgets = {"price": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"})}

    def __init__(self, *args, merchant: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        for name in ("stock", "sample_stock"):
            self.fields[name].widget.attrs["min"] = "0"

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"].strip()
        taken = Product.objects.filter(merchant=self.merchant, sku=sku)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(services.SKU_TAKEN)
        return sku

    def clean_price(self):
        price = self.cleaned_data["price"]
        problem = services.price_problem(price)
        if problem:
            raise forms.ValidationError(problem)
        return price

    def clean_stock(self) -> int:
        return self.checked_units("stock")

    def clean_sample_stock(self) -> int:
        return self.checked_units("sample_stock")

    def checked_units(self, field: str) -> int:
        units = self.cleaned_data[field]
        problem = services.units_problem(field, units)
        if problem:
            raise forms.ValidationError(problem)
        return units

    def _post_clean(self):
        # The form fields and the clean_* methods above already hold every model rule, and the
        # service saves; ModelForm's model validation would only repeat them in extra queries.
        pass

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in services.PRODUCT_FIELDS}


class ProductImportForm(forms.Form):
    file = CsvFileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or GB18030 (Excel's CSV), first line the header, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
