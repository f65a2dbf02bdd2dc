"""Help: what the assistant can do, read from the skills' own declarations."""

from __future__ import annotations

from heron.assistant.skill import Context, Request, Response, Skill
from heron.language.intents import Intent


async def handle(request: Request, context: Context) -> Response:
    if request.intent == "help.name":
        return Response("I'm Heron, your own assistant; I run on your server and keep what you "
                        "tell me to myself. Say 'what can you do' to hear more.")  # fmt: skip
    others = [s for s in context.skills if s.name != "help"]
    lines = [
        f"- {s.description}" + (f' Try: "{s.examples[0]}".' if s.examples else "") for s in others
    ]
    return Response(
        "I can help with:\n" + "\n".join(lines),
        data={
            "skills": [
                {"name": s.name, "description": s.description, "examples": list(s.examples)}
                for s in others
            ]
        },
    )


skill = Skill(
    name="help",
    description="Help: what I can do.",
    intents=(
        Intent(
            "help",
            templates=(
                "what can you do",
                "what (are you able to|do you know how to) do",
                "what (can i|should i|could i) (ask|say) [you]",
                "what are your (skills|abilities|features)",
                "help [me]",
                "how (do|can) you help [me]",
                "what do you do",
            ),
            examples=(
                "what are you capable of",
                "list your skills",
                "what commands do you know",
                "what kind of things can I ask you",
                "what questions can you answer",
                "what can I ask",
                "what are you good for",
                "what topics do you know about",
            ),
        ),
        Intent(
            "help.name",
            templates=(
                "what is your name",
                "who are you",
                "what (should|do|can) i call you",
                "what are you called",
                "(tell me|say) your name",
            ),
            examples=(
                "what did they name you",
                "how should I address you",
                "what do you call yourself",
                "do you have a name",
                "what would you like me to call you",
                "which name do you prefer",
                "how do you like to be addressed",
                "what do you go by",
            ),
        ),
    ),
    handle=handle,
)
