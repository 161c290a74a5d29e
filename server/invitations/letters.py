"""The invitation email, in the registrant's language (the six UN languages)."""

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Final


@dataclass(frozen=True, slots=True)
class Letter:
    registrant_id: str
    to: str
    subject: str
    body: str

    def message(self, sender: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message.set_content(self.body)
        return message


# (subject, body): {title}, {name} and {link} are filled in.
TEXTS: Final[dict[str, tuple[str, str]]] = {
    "en": (
        "Your invitation: {title}",
        "Dear {name},\n\nYou are registered for \u201c{title}\u201d. Open your personal link to "
        "rate the propositions and ask for the floor:\n\n{link}\n\nThe link is yours alone: "
        "opening it on another device continues as you, and your latest rating counts.\n",
    ),
    "fr": (
        "Votre invitation : {title}",
        "Bonjour {name},\n\nVous \u00eates inscrit(e) \u00e0 \u00ab {title} \u00bb. Ouvrez "
        "votre lien personnel pour \u00e9valuer les propositions et demander la parole :\n\n"
        "{link}\n\nCe lien est le v\u00f4tre seul : l\u2019ouvrir sur un autre appareil "
        "continue en votre nom, et votre derni\u00e8re \u00e9valuation compte.\n",
    ),
    "es": (
        "Su invitaci\u00f3n: {title}",
        "Estimado/a {name}:\n\nEst\u00e1 inscrito/a en \u00ab{title}\u00bb. Abra su enlace "
        "personal para valorar las propuestas y pedir la palabra:\n\n{link}\n\nEl enlace es "
        "solo suyo: abrirlo en otro dispositivo contin\u00faa como usted, y cuenta su "
        "\u00faltima valoraci\u00f3n.\n",
    ),
    "ru": (
        "Ваше приглашение: {title}",
        "Уважаемый(ая) {name}!\n\nВы зарегистрированы на «{title}». Откройте свою личную "  # noqa: RUF001 (Russian, not look-alikes)
        "ссылку, чтобы оценивать предложения и просить слово:\n\n{link}\n\nЭта ссылка "  # noqa: RUF001 (Russian, not look-alikes)
        "только ваша: открыв её на другом устройстве, вы продолжите от своего имени, и "
        "засчитывается ваша последняя оценка.\n",
    ),
    "zh": (
        "\u60a8\u7684\u9080\u8bf7\uff1a{title}",
        "{name}\uff0c\u60a8\u597d\uff1a\n\n\u60a8\u5df2\u6ce8\u518c\u53c2\u52a0\u201c{title}"
        "\u201d\u3002\u8bf7\u6253\u5f00\u60a8\u7684\u4e2a\u4eba\u94fe\u63a5\uff0c\u5bf9\u5404"
        "\u9879\u63d0\u8bae\u8fdb\u884c\u8bc4\u5206\u5e76\u7533\u8bf7\u53d1\u8a00\uff1a\n\n"
        "{link}\n\n\u6b64\u94fe\u63a5\u4ec5\u4f9b\u60a8\u672c\u4eba\u4f7f\u7528\uff1a\u5728"
        "\u53e6\u4e00\u53f0\u8bbe\u5907\u4e0a\u6253\u5f00\u4ecd\u662f\u60a8\u672c\u4eba\uff0c"
        "\u4ee5\u60a8\u6700\u540e\u4e00\u6b21\u8bc4\u5206\u4e3a\u51c6\u3002\n",
    ),
    "ar": (
        "\u062f\u0639\u0648\u062a\u0643: {title}",
        "\u0627\u0644\u0633\u064a\u062f/\u0627\u0644\u0633\u064a\u062f\u0629 {name}\u060c\n\n"
        "\u0623\u0646\u062a \u0645\u0633\u062c\u0651\u0644 \u0641\u064a \u00ab{title}\u00bb. "
        "\u0627\u0641\u062a\u062d \u0631\u0627\u0628\u0637\u0643 \u0627\u0644\u0634\u062e\u0635"
        "\u064a \u0644\u062a\u0642\u064a\u064a\u0645 \u0627\u0644\u0645\u0642\u062a\u0631\u062d"
        "\u0627\u062a \u0648\u0637\u0644\u0628 \u0627\u0644\u0643\u0644\u0645\u0629:\n\n{link}"
        "\n\n\u0647\u0630\u0627 \u0627\u0644\u0631\u0627\u0628\u0637 \u0644\u0643 \u0648\u062d"
        "\u062f\u0643: \u0641\u062a\u062d\u0647 \u0639\u0644\u0649 \u062c\u0647\u0627\u0632 "
        "\u0622\u062e\u0631 \u064a\u0648\u0627\u0635\u0644 \u0628\u0627\u0633\u0645\u0643\u060c "
        "\u0648\u064a\u064f\u062d\u062a\u0633\u0628 \u0622\u062e\u0631 \u062a\u0642\u064a\u064a"
        "\u0645 \u0644\u0643.\n",
    ),
}


def letter(registrant_id: str, to: str, language: str, name: str, title: str, link: str) -> Letter:
    subject, body = TEXTS.get(language, TEXTS["en"])
    # A title with a line break must not become a second mail header.
    flat = " ".join(title.split())
    return Letter(
        registrant_id,
        to,
        subject.format(title=flat),
        body.format(name=name, title=flat, link=link),
    )
