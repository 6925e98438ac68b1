/** A text field's value from a submitted form; a missing or file field counts as empty. */
export function fieldText(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}
