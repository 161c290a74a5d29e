// Times of rating windows, shown in the session's time zone (an IANA name),
// in the UI's language. The server keeps seconds since the epoch.
import { language } from "./i18n";

export function moment(seconds: number, zone: string | undefined): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(language(), { ...options, timeZone: zone ?? "UTC" }).format(
      seconds * 1000,
    );
  } catch {
    // A zone this browser does not know: UTC, which the label then names.
    return new Intl.DateTimeFormat(language(), { ...options, timeZone: "UTC" }).format(seconds * 1000);
  }
}
