/** Where an app instance is: the app and the cluster it runs on. */
export interface InstanceRef {
  readonly app: string;
  readonly cluster: string;
}
