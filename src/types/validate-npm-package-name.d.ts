// Types for validate-npm-package-name@6 (a CommonJS module exporting one function), which ships none.
declare module 'validate-npm-package-name' {
  interface ValidationResult {
    /** No errors and no warnings: a name the registry would accept for a new package today. */
    validForNewPackages: boolean;
    /** No errors: a name an existing (possibly legacy) package may have. */
    validForOldPackages: boolean;
    warnings?: string[];
    errors?: string[];
  }
  function validate(name: unknown): ValidationResult;
  export = validate;
}
