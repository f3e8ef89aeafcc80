export function checkFuses(executable: string): Promise<{ fuses: Record<string, string>; wrong: string[] }>;
