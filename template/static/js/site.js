// The site's own script, loaded with Subresource Integrity from base.html.
// Marks the page as scripted, so styles can tell when enhancements are available.
document.documentElement.classList.add("js");
