"""The Fluent texts, shipped as package data: {en,ar,ru}/main.ftl (clients), {en,ru}/staff.ftl (staff)."""
