/**
 * A CronJob schedule as the Kubernetes API server parses it (the standard
 * five fields — minute, hour, day of month, month, day of week — or a
 * descriptor such as "@daily"), checked before merge so that a typo is an
 * error at its stack line instead of a sync the API server refuses.
 */

const DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names the field accepts for its numbers, from min. */
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 6, names: DAYS },
];

/** What is wrong with a schedule, or undefined when the API server would take it. */
export function scheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) return "names its time zone in the schedule; set timeZone instead (the API server refuses TZ= here)";
  if (text.startsWith("@")) {
    if (DESCRIPTORS.includes(text)) return undefined;
    // The API server's parser takes "@every <duration>", but Kubernetes does not document it, and it counts from when
    // the controller last scheduled the job, not from the clock: a schedule a reviewer can read is asked for instead.
    if (/^@every \S+$/.test(text))
      return 'uses @every, which Kubernetes does not document for CronJobs; write five fields such as "*/15 * * * *"';
    return `is not a schedule descriptor; use one of ${DESCRIPTORS.join(", ")} or five fields`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    return `has ${parts.length} field${parts.length === 1 ? "" : "s"}; a schedule has five: minute hour day-of-month month day-of-week`;
  for (const [index, part] of parts.entries()) {
    const problem = fieldProblem(part, FIELDS[index]!);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(part: string, field: Field): string | undefined {
  for (const item of part.split(",")) {
    const [range, step, extra] = item.split("/");
    if (extra !== undefined || range === undefined || range === "")
      return `has ${JSON.stringify(part)} as its ${field.name}, which is not a cron field`;
    if (step !== undefined && !/^[1-9][0-9]*$/.test(step))
      return `has a step of ${JSON.stringify(step)} in its ${field.name}; a step is a whole number from 1`;
    if (range === "*" || range === "?") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) return `has ${JSON.stringify(range)} as a range in its ${field.name}`;
    const values = bounds.map((bound) => fieldValue(bound, field));
    for (const [i, value] of values.entries()) {
      if (value === undefined)
        return `has ${JSON.stringify(bounds[i])} in its ${field.name}, which takes ${field.min}–${field.max}${field.names ? ` or ${field.names[0]}–${field.names.at(-1)}` : ""}`;
    }
    if (values.length === 2 && values[0]! > values[1]!)
      return `has the range ${JSON.stringify(range)} in its ${field.name}, which runs backwards`;
  }
  return undefined;
}

function fieldValue(text: string, field: Field): number | undefined {
  if (/^[0-9]+$/.test(text)) {
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index === -1 ? undefined : field.min + index;
}

/** What is wrong with a CronJob's time zone, or undefined for a name of the tz database. */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone.trim() !== zone || zone === "") return "is not a time zone name";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return undefined;
  } catch {
    return 'is not a time zone of the tz database, such as "Europe/Berlin" or "Etc/UTC"';
  }
}
