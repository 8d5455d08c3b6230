from rest_framework.routers import SimpleRouter

from projects.api.views import MeetingViewSet, ProjectViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("meetings", MeetingViewSet, basename="meeting")

urlpatterns = router.urls
