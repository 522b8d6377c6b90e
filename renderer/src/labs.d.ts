// The bundled example labs, made at build time by renderer/vite-plugin-labs.ts.
declare module 'virtual:jailhouse-labs' {
  export interface BundledLab {
    /** The lab file, relative to the repository ("assets/labs/tiny-demo.yaml"). */
    file: string;
    lab: import('../../core/lab/lab-file.ts').Lab;
    /** Every file the lab names, by its repository-relative path → the bundled asset's URL. */
    urls: Record<string, string>;
  }

  const labs: BundledLab[];
  export default labs;
}
