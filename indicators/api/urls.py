from rest_framework.routers import SimpleRouter

from indicators.api.views import (
    DatasetViewSet,
    ImportJobViewSet,
    IndicatorViewSet,
    ObservationViewSet,
    ReleaseViewSet,
)

router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("releases", ReleaseViewSet, basename="release")
router.register("observations", ObservationViewSet, basename="observation")
router.register("imports", ImportJobViewSet, basename="import-job")

urlpatterns = router.urls
