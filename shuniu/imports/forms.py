from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shuniu.core.forms import StyledFormMixin, style_fields

from .models import ImportTemplate
from .registry import definition as definition_class
from .registry import kind_choices


class ImportUploadForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("导入什么"), choices=kind_choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice 表格（.ods）或 CSV（UTF-8 或 GBK）；不超过 %(size)d MB。")
        % {"size": settings.SHUNIU_IMPORT_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv,.txt"}),
    )
    template = forms.ModelChoiceField(
        label=_("列对应模板"),
        queryset=ImportTemplate.objects.all(),
        required=False,
        empty_label=_("自动识别表头"),
        help_text=_("以前保存过的列对应；不选则按表头自动识别，表头与某个模板完全相同时自动使用它。"),
    )

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template and data.get("kind") and template.kind != data["kind"]:
            self.add_error(
                "template",
                _("模板「%(name)s」用于导入%(kind)s。") % {"name": template, "kind": template.get_kind_display()},
            )
        return data


class ImportMappingForm(forms.Form):
    """One choice per file header: the field it fills, or 忽略."""

    save_as = forms.CharField(
        label=_("保存为模板"),
        max_length=60,
        required=False,
        help_text=_("填写名称，下次上传同样表头的文件时自动使用。"),
    )

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        definition = definition_class(job.kind)
        choices = [("", _("— 忽略此列 —"))] + [
            (column.field, _("%(label)s（必填）") % {"label": column.label} if column.required else column.label)
            for column in definition.columns
        ]
        self.header_fields = []
        for index, header in enumerate(job.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(label=header, choices=choices, required=False)
            self.initial[name] = job.mapping.get(header) or ""
            self.header_fields.append(name)
        self.order_fields([*self.header_fields, "save_as"])
        style_fields(self)  # after the fields exist: styling looks at the errors, which cleans the form

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"column_{index}") or "" for index, header in enumerate(self.job.headers)}
