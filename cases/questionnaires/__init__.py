"""Pure helpers of the applicant questionnaire (no database access): the definition vocabulary
and its validation (``definition``), answer validation per question type (``answers``), the
K and R seed definitions (``seed``) and the data sheet rows (``sheet``)."""
