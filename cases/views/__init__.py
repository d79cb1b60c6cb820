"""HTML views of the ``cases`` app, thin: one module per sub-domain. Shared helpers with public
names live in ``cases.views.shared``."""
