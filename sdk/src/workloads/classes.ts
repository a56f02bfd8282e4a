/**
 * The ZK workload classes a deployment registers with the VerificationHub, by id. A job in ZK mode names one; its
 * results must come with a proof the class's verifier accepts.
 */
export const WorkloadClass = {
  /** The result is a commitment bound to the job and the provider (circuits/compute_commitment). */
  ComputeCommitment: 1,
  /** The result is the output hash of a dense layer over the job's model and input (circuits/dense_layer). */
  DenseLayer: 2,
  /** The result is the output hash of the digits MLP on the job's input image (circuits/digits_mlp). */
  DigitsMlp: 3,
} as const;

export type WorkloadClassId = (typeof WorkloadClass)[keyof typeof WorkloadClass];
