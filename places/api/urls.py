from rest_framework.routers import DefaultRouter

from places.api.views import CodeChangeViewSet, PlaceViewSet

router = DefaultRouter()
router.register("places", PlaceViewSet, basename="place")
router.register("code-changes", CodeChangeViewSet, basename="code-change")

urlpatterns = router.urls
