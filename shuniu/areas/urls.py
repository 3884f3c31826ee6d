app_name = "areas"
urlpatterns = []
