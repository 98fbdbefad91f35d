using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NNLinearity.Linearity;

/// <summary>The evidence on whether a model is a GLM; <see cref="ToString"/> prints it.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
public sealed record LinearityReport
{
    /// <summary>The model analysed.</summary>
    public required string Model { get; init; }

    /// <summary>Rows of x used.</summary>
    public required int RowsAnalysed { get; init; }

    /// <summary>Number of parameters.</summary>
    public required int ParameterCount { get; init; }

    /// <summary>
    /// True when the exact Hessian of eta in the parameters vanishes at every analysed row, at the model's parameters
    /// and at every searched point: eta is linear in them. When it is false, the norm, rank and blocks below are those
    /// of the first point where it was found non-zero.
    /// </summary>
    public required bool EtaHessianIsZero { get; init; }

    /// <summary>Largest Frobenius norm of the eta Hessian over rows and outputs.</summary>
    public required double EtaHessianNorm { get; init; }

    /// <summary>Largest numerical rank of the eta Hessian over rows and outputs.</summary>
    public required int EtaHessianRank { get; init; }

    /// <summary>Parameter blocks (W1, b1, W2, ...) whose second derivatives of eta are non-zero, as "A x B" pairs.</summary>
    public required IReadOnlyList<string> InteractingBlocks { get; init; }

    /// <summary>Largest |eta(a t1 + b t2) - a eta(t1) - b eta(t2)| relative to the largest term (floored at 1), over the search.</summary>
    public required double AdditivityViolation { get; init; }

    /// <summary>Largest |eta(a t) - a eta(t)| relative to the largest term (floored at 1), over the search.</summary>
    public required double HomogeneityViolation { get; init; }

    /// <summary>The (a, b) of the largest additivity violation.</summary>
    public required (double A, double B) AdditivityWitness { get; init; }

    /// <summary>Largest eigenvalue of the log-likelihood's parameter Hessian at the model's parameters (null without responses).</summary>
    public double? LogLikelihoodMaxEigenvalue { get; init; }

    /// <summary>Smallest eigenvalue of the log-likelihood's parameter Hessian at the model's parameters.</summary>
    public double? LogLikelihoodMinEigenvalue { get; init; }

    /// <summary>Whether the log-likelihood is concave at the model's parameters (largest eigenvalue within rounding of 0 or below); null without responses or where the curvature overflows.</summary>
    public bool? LogLikelihoodConcaveAtModel { get; init; }

    /// <summary>Whether the model's parameters or the random search found a point where the log-likelihood is not concave.</summary>
    public bool? NonConcavePointFound { get; init; }

    /// <summary>The largest log-likelihood Hessian eigenvalue at the non-concave point found.</summary>
    public double? NonConcaveEigenvalue { get; init; }

    /// <summary>The hidden-unit permutation tried, when a hidden layer has two units or more.</summary>
    public string? PermutationDescription { get; init; }

    /// <summary>Largest relative change of eta under that permutation (0 to rounding: the parameters are not identifiable).</summary>
    public double? PermutationChange { get; init; }

    /// <summary>Whether the stack collapses into one layer.</summary>
    public required bool Collapsible { get; init; }

    /// <summary>Why (or why not).</summary>
    public required string CollapseReason { get; init; }

    /// <summary>For piecewise-linear stacks, the local GLM at the first analysed row.</summary>
    public LocalGlm? LocalGlm { get; init; }

    /// <summary>The relative tolerance used.</summary>
    public required double Tolerance { get; init; }

    /// <summary>True when eta is linear in the parameters: zero eta Hessian and additivity and homogeneity to rounding.</summary>
    public bool IsLinearInParameters => EtaHessianIsZero && AdditivityViolation <= 1e3 * Tolerance && HomogeneityViolation <= 1e3 * Tolerance;

    /// <summary>The answer in words.</summary>
    public string Verdict => IsLinearInParameters
        ? "a GLM: eta is linear in the parameters"
        : Collapsible
            ? "not a GLM in its parameters (eta multiplies weights of different layers), but it collapses into one GLM layer with the same predictions"
            : "not a GLM: eta is not linear in the parameters, and no single layer reproduces the model";

    /// <inheritdoc />
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"Is {Model} a GLM? {(IsLinearInParameters ? "Yes" : "No")}: {Verdict}.").AppendLine();
        sb.Append(c, $"  Analysed at {RowsAnalysed} rows; {ParameterCount} parameters.").AppendLine();
        sb.Append("  eta in the parameters (exact Hessian by forward-over-reverse differentiation):").AppendLine();
        sb.Append(c, $"    Hessian of eta: {(EtaHessianIsZero ? "zero" : "non-zero")}; largest Frobenius norm {EtaHessianNorm:G3}, rank {EtaHessianRank} of {ParameterCount}").AppendLine();
        if (InteractingBlocks.Count > 0) sb.Append("    interacting parameter blocks: ").Append(string.Join(", ", InteractingBlocks)).AppendLine();
        sb.Append(c, $"    additivity  eta(a t1 + b t2) = a eta(t1) + b eta(t2): largest relative violation {AdditivityViolation:G3} (a = {AdditivityWitness.A:F3}, b = {AdditivityWitness.B:F3})").AppendLine();
        sb.Append(c, $"    homogeneity eta(a t) = a eta(t): largest relative violation {HomogeneityViolation:G3}").AppendLine();
        if (LogLikelihoodMaxEigenvalue is double hi && LogLikelihoodMinEigenvalue is double lo)
        {
            sb.Append(c, $"  log-likelihood at the model's parameters: Hessian eigenvalues in [{lo:G3}, {hi:G3}]: {(LogLikelihoodConcaveAtModel is null ? "not evaluable (the curvature overflows)" : LogLikelihoodConcaveAtModel == true ? "concave" : "not concave")}").AppendLine();
            sb.Append("  search for a non-concave point: ")
              .Append(NonConcavePointFound == true ? string.Create(c, $"found (largest eigenvalue {NonConcaveEigenvalue:G3})") : "none found")
              .AppendLine();
        }
        else
        {
            sb.Append("  log-likelihood: not analysed (no responses given)").AppendLine();
        }

        if (PermutationDescription is not null)
        {
            sb.Append(c, $"  identifiability: {PermutationDescription} changes eta by {PermutationChange:G3} (relative): ")
              .Append(PermutationChange <= 1e-12 ? "the parameters are not identifiable" : "eta changes")
              .AppendLine();
        }

        sb.Append("  collapse into one layer: ").Append(Collapsible ? "yes, " : "no, ").Append(CollapseReason).AppendLine();
        if (LocalGlm is not null) sb.Append("  ").Append(LocalGlm.ToString().Replace("\n", "\n  ", System.StringComparison.Ordinal)).AppendLine();
        return sb.ToString().TrimEnd();
    }
}
