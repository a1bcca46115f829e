"""Reminders: when a habit's reminder is due (`timing`), whether it should fire (`due`), where they are
stored (`tables`, `repository`), the use cases (`service`), the engine's firing (`firing`) and Web Push
(`push`, `vapid`)."""
