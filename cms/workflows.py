"""The CMS moderation workflow: editors draft and submit, moderators approve (which
publishes). Kept in step with the role groups after every migrate."""

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

from marketplace.users.roles import MODERATOR

WORKFLOW_NAME = "编辑提交，审核发布"
TASK_NAME = "内容审核"


@transaction.atomic
def moderation_workflow_sync() -> Workflow | None:
    """One active workflow on the root page (so on every page) with one approval task
    for the moderator group. Idempotent."""
    root = Page.get_first_root_node()
    group = Group.objects.filter(name=MODERATOR.code).first()
    if root is None or group is None:
        return None
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set([group])
    workflow, _created = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    return workflow
