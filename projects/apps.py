from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from clients.registry import register_client_count, register_confidential_reader
        from documents.parents import ParentKind, register_parent
        from projects.models import Project

        # The client list's count of projects, and the PMs of a client's projects read its confidential
        # notes (SPEC §2): clients sits below projects (clients/registry.py).
        register_client_count("project_count", lambda: Project.objects.all())
        register_confidential_reader(
            "project_pm", lambda user, client_id: Project.objects.filter(client_id=client_id, pm_id=user.pk)
        )

        register_parent(
            ParentKind(
                kind="project",
                model="projects.Project",
                client_path="client_id",
                can_write="projects.services.projects.can_attach_documents",
            )
        )
        for kind, model in (("deliverable", "projects.Deliverable"), ("change_request", "projects.ChangeRequest")):
            register_parent(
                ParentKind(
                    kind=kind,
                    model=model,
                    client_path="project.client_id",
                    can_write="projects.services.projects.can_attach_documents_to_part",
                    select_related=("project",),
                )
            )
