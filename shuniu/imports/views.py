"""The import pages: upload → (column mapping) → check in the background → preview → confirm → outcome.
Views are wiring: the steps are `services`, the background steps `tasks`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from shuniu.core.access import user_can
from shuniu.core.crypto import DecryptionError
from shuniu.core.errors import PermissionDeniedWithReason
from shuniu.core.exports import content_disposition
from shuniu.core.tabular import TableReadError
from shuniu.core.views import ObjectListView, ScopedViewMixin
from shuniu.core.workers import reap_dead_workers

from . import services, tasks
from .choices import ImportStatus, RowOutcome
from .exports import rejected_rows_xlsx, result_xlsx, source_file, template_xlsx
from .filtersets import ImportJobFilterSet
from .forms import ImportMappingForm, ImportUploadForm
from .models import ImportJob
from .registry import definition as definition_class
from .registry import definitions, kind_choices, kind_label
from .tables import ImportJobTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, "import")
    return response


def _may_import(user, kind: str) -> bool:
    return user_can(user, definition_class(kind).model, "add")


def jobs_visible_to(user, queryset):
    """The imports the user may see: outside the whole city, the ones they started themselves (ImportJob.scope)."""
    return queryset.restrict(user, "view")


class ImportJobListView(ObjectListView):
    """The import history: who, when, which file, the counts; each row opens the outcome of every row."""

    queryset = ImportJob.objects.select_related("user")

    filterset = ImportJobFilterSet
    table = ImportJobTable
    template_name = "imports/importjob_list.html"

    def get_add_url(self, request):
        return None

    def get(self, request, *args, **kwargs):
        reap_dead_workers()  # a job whose process died shows as failed, not 「正在导入」 for ever
        return super().get(request, *args, **kwargs)

    def get_extra_context(self, request):
        return {"title": _("数据导入"), "kinds": kind_choices(), "can_import": bool(importable_kinds(request.user))}


def importable_kinds(user) -> list[str]:
    """The kinds of import `user` may start (those whose records they may add somewhere)."""
    return [value for value in definitions() if _may_import(user, value)]


#: room for the form's other fields and the multipart boundaries beside the file
FORM_OVERHEAD = 64 * 1024


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """An import's upload stays in memory until it is sealed (`core.storage`): Django would otherwise write a file
    over 2.5 MB to a temporary file, in the clear, for the length of the request. A body larger than an import may
    be is not kept anywhere; the view says why the file is missing."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= settings.SHUNIU_IMPORT_MAX_BYTES + FORM_OVERHEAD
        self.request.upload_too_large = not self.activated


@method_decorator(csrf_exempt, name="dispatch")  # checked in dispatch, once the upload handler is in place
class ImportCreateView(LoginRequiredMixin, View):
    """新建导入: only for users who may import some kind of record (a read-only role gets 403, not the form)."""

    template_name = "imports/import_upload.html"

    def dispatch(self, request, *args, **kwargs):
        request.upload_handlers = [InMemoryUploadHandler(request)]
        if request.user.is_authenticated and not importable_kinds(request.user):
            raise PermissionDeniedWithReason(_("您没有导入数据的权限。"))
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def context(self, request, form):
        allowed = importable_kinds(request.user)
        kinds = [(value, label, definition_class(value)) for value, label in kind_choices() if value in allowed]
        return {"form": form, "kinds": kinds, "max_mb": form.fields["file"].help_text}

    def build_form(self, request, *args, **kwargs):
        """The upload form, offering only the kinds the user may import."""
        form = ImportUploadForm(*args, **kwargs)
        allowed = importable_kinds(request.user)
        form.fields["kind"].choices = [(value, label) for value, label in kind_choices() if value in allowed]
        return form

    def get(self, request):
        allowed = importable_kinds(request.user)
        kind = request.GET.get("kind") if request.GET.get("kind") in allowed else allowed[0]
        form = self.build_form(request, initial={"kind": kind})
        return render(request, self.template_name, self.context(request, form))

    def post(self, request):
        form = self.build_form(request, request.POST, request.FILES)
        if getattr(request, "upload_too_large", False):
            form.add_error(
                "file", _("文件超过 %(size)d MB，未上传。") % {"size": settings.SHUNIU_IMPORT_MAX_BYTES // 2**20}
            )
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            if not _may_import(request.user, kind):
                raise PermissionDeniedWithReason(_("您没有导入%(kind)s的权限。") % {"kind": kind_label(kind)})
            upload = form.cleaned_data["file"]
            job, _table = services.import_create(
                data=upload.read(),
                filename=upload.name,
                kind=kind,
                user=request.user,
                template=form.cleaned_data["template"],
            )
            if job.status == ImportStatus.FAILED:
                form.add_error("file", job.error)
            elif job.status == ImportStatus.MAPPING:
                return redirect("imports:importjob_mapping", pk=job.pk)
            else:
                tasks.import_plan_task.enqueue(job.pk)
                return redirect(job.get_absolute_url())
        return render(request, self.template_name, self.context(request, form))


class ImportJobMixin(ScopedViewMixin):
    queryset = ImportJob.objects.select_related("user", "template")

    def get_job(self, pk) -> ImportJob:
        return get_object_or_404(self.get_queryset(), pk=pk)


class ImportMappingView(ImportJobMixin, View):
    template_name = "imports/import_mapping.html"

    def render_form(self, request, job, form):
        definition = definition_class(job.kind)
        missing = definition.missing_required({h: f for h, f in job.mapping.items() if f})
        return render(request, self.template_name, {"job": job, "form": form, "missing": missing})

    def get(self, request, pk):
        job = self.get_job(pk)
        if job.status != ImportStatus.MAPPING:
            return redirect(job.get_absolute_url())
        return self.render_form(request, job, ImportMappingForm(job=job))

    def post(self, request, pk):
        job = self.get_job(pk)
        if not job.may_continue(request.user):
            raise PermissionDeniedWithReason(_("只有上传者可以继续这个导入。"))
        form = ImportMappingForm(request.POST, job=job)
        if form.is_valid():
            try:
                job = services.import_set_mapping(
                    job=job, mapping=form.mapping(), save_as=form.cleaned_data["save_as"], user=request.user
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                tasks.import_plan_task.enqueue(job.pk)
                return redirect(job.get_absolute_url())
        return self.render_form(request, job, form)


class ImportJobView(ImportJobMixin, View):
    template_name = "imports/importjob.html"

    def get(self, request, pk):
        reap_dead_workers()  # the page (and its progress poll) shows a job whose process died as failed
        job = self.get_job(pk)
        if request.htmx and request.GET.get("progress"):
            response = render(request, "imports/includes/progress.html", {"job": job})
            if not job.is_running:
                response["HX-Refresh"] = "true"
            return response
        earlier = (
            jobs_visible_to(request.user, ImportJob.objects.all())
            .filter(sha256=job.sha256, status=ImportStatus.DONE)
            .exclude(pk=job.pk)
            .order_by("-finished_at")
            .first()
        )
        examples = [
            (outcome.value, outcome.label, job.count(outcome), job.examples.get(outcome.value, []))
            for outcome in RowOutcome
        ]
        return render(
            request,
            self.template_name,
            {
                "job": job,
                "object": job,
                "earlier": earlier,
                "examples": examples,
                "mapped": [
                    (header, definition_class(job.kind).column(field).label)
                    for header, field in job.mapping.items()
                    if field
                ],
                "ignored": [header for header, field in job.mapping.items() if not field],
                "can_confirm": job.status == ImportStatus.PLANNED and job.may_continue(request.user),
            },
        )


class ImportConfirmView(ImportJobMixin, View):
    def post(self, request, pk):
        job = self.get_job(pk)
        if not job.may_continue(request.user):
            raise PermissionDeniedWithReason(_("只有上传者可以确认这个导入。"))
        if services.import_confirm(job=job):
            tasks.import_apply_task.enqueue(job.pk)
        else:
            messages.warning(request, _("这个导入已经确认过或已取消。"))
        return redirect(job.get_absolute_url())


class ImportCancelView(ImportJobMixin, View):
    def post(self, request, pk):
        job = self.get_job(pk)
        if not job.may_continue(request.user):
            raise PermissionDeniedWithReason(_("只有上传者可以取消这个导入。"))
        if services.import_cancel(job=job):
            messages.info(request, _("已取消，没有写入任何数据。"))
        return redirect(job.get_absolute_url())


class ImportFileView(ImportJobMixin, View):
    """The uploaded file, the rejected rows or every row's outcome, with the personal numbers the user may not see
    masked (see `exports`); a file that cannot be read back sends the user to the job's page with the reason."""

    def get(self, request, pk, what):
        if what not in ("source", "rejected", "result"):
            raise Http404
        job = self.get_job(pk)
        stem = job.filename.rsplit(".", 1)[0]
        try:
            if what == "source":
                data, filename = source_file(job, viewer=request.user)
                return attachment(data, filename, "application/octet-stream")
            if not job.result:
                raise PermissionDeniedWithReason(_("这个导入还没有逐行结果。"))
            if what == "rejected":
                data = rejected_rows_xlsx(job, viewer=request.user)
                return attachment(data, _("%(name)s_被拒绝的行.xlsx") % {"name": stem})
            return attachment(result_xlsx(job, viewer=request.user), _("%(name)s_逐行结果.xlsx") % {"name": stem})
        except (TableReadError, DecryptionError) as error:
            messages.error(request, _("无法下载：%(error)s") % {"error": error})
            return redirect(job.get_absolute_url())


class ImportTemplateFileView(LoginRequiredMixin, View):
    def get(self, request, kind):
        if kind not in definitions():
            raise Http404
        filename = _("导入模板_%(kind)s_%(day)s.xlsx") % {
            "kind": kind_label(kind),
            "day": timezone.localdate().strftime("%Y%m%d"),
        }
        return attachment(template_xlsx(kind), filename)
