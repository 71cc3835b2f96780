// Migration files are imported as text and inlined into the bundle.
declare module "*.sql" {
  const text: string;
  export default text;
}
