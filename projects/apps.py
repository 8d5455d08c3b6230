from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from documents.parents import ParentKind, register_parent

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
