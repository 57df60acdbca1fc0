/* The site has one colour scheme, checked for contrast: tell pydata-sphinx-theme before it reads the mode. */
document.documentElement.dataset.mode = "light";
document.documentElement.dataset.theme = "light";
