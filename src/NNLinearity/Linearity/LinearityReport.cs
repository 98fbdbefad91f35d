using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Text;

namespace NNLinearity.Linearity;

/// <summary>
/// The second derivatives of eta between two parameter blocks (W1, b1, W2, ...): the block of the Hessian whose rows
/// are in <see cref="First"/> and columns in <see cref="Second"/>, largest over the spectrum rows.
/// </summary>
/// <param name="First">A block.</param>
/// <param name="Second">The other block (the same for a diagonal block).</param>
/// <param name="Norm">Frobenius norm of the block (an unbiased estimate from random probes when <paramref name="NormIsEstimate"/>).</param>
/// <param name="Rank">
/// Numerical rank; 0 when the block is zero. Singular values above max(rows, columns) eps of the largest (numpy's
/// rule) for blocks up to 2^18 probed entries, above 1e-7 of the largest (through the Gram matrix) for larger ones.
/// </param>
/// <param name="RankIsLowerBound">True when the rank reached the number of probes: the block's rank is at least this.</param>
/// <param name="NormIsEstimate">True when the block was probed with random vectors rather than exactly.</param>
/// <param name="Interacting">Whether the block is non-zero beyond rounding.</param>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed record BlockInteraction(string First, string Second, double Norm, int Rank, bool RankIsLowerBound, bool NormIsEstimate, bool Interacting)
{
    /// <summary>
    /// True when, at one of the spectrum rows, the block's singular values have no clear gap at the threshold: the
    /// smallest one counted is less than 1000 times the threshold or the largest one dropped. Such a value lies within
    /// about three orders of magnitude of the rounding in the block's entries (1e-15 to 1e-14 of the largest), so the rank may
    /// differ by one or more with the order of the arithmetic, between the dense and the matrix-free analyses, or
    /// from one seed to the next; the printed report marks it with "?".
    /// </summary>
    public bool RankIsIllDetermined { get; init; }
}

/// <summary>The evidence on whether a model is a GLM; <see cref="ToString"/> prints it.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
public sealed record LinearityReport
{
    /// <summary>The model analysed.</summary>
    public required string Model { get; init; }

    /// <summary>Rows of x used.</summary>
    public required int RowsAnalysed { get; init; }

    /// <summary>Rows of x given.</summary>
    public int RowsGiven { get; init; }

    /// <summary>Which rows of x were used (ascending): all of them, or a seeded sample of <see cref="LinearityOptions.MaxRows"/>.</summary>
    public IReadOnlyList<int> RowIndices { get; init; } = [];

    /// <summary>Whether the Hessians were formed densely or used only through Hessian-vector products.</summary>
    public HessianMethod Method { get; init; } = HessianMethod.Dense;

    /// <summary>Rows at which the eta Hessian's spectrum, rank and blocks were computed.</summary>
    public int SpectrumRows { get; init; }

    /// <summary>True when <see cref="EtaHessianRank"/> reached the number of probes: the rank is at least this.</summary>
    public bool EtaHessianRankIsLowerBound { get; init; }

    /// <summary>
    /// True when, at some spectrum row, the smallest eigenvalue counted in the rank is within a factor of 1000 of the
    /// threshold (P eps of the largest) or of the largest eigenvalue not counted: rounding in the Hessian's entries could
    /// then change <see cref="EtaHessianRank"/> (printed with a "?").
    /// </summary>
    public bool EtaHessianRankIsIllDetermined { get; init; }

    /// <summary>
    /// The eta Hessian's size relative to the gradient's: the largest of |H|_2 / max(|grad eta|, 1) over the spectrum
    /// rows and |H v| / (|v| max(|grad|, 1)) over random probes of all analysed rows. Zero for a GLM.
    /// </summary>
    public double EtaHessianRelativeNorm { get; init; }

    /// <summary>Random parameter points probed because the eta Hessian vanished at the model's (say every ReLU off).</summary>
    public int PerturbedPointsTried { get; init; }

    /// <summary>Every pair of parameter blocks with its norm and rank (see <see cref="InteractingBlocks"/> for the non-zero ones).</summary>
    public IReadOnlyList<BlockInteraction> BlockInteractions { get; init; } = [];

    /// <summary>Additivity and homogeneity trials run.</summary>
    public int AdditivityTrials { get; init; }

    /// <summary>Parameter points at which the log-likelihood's curvature was computed (the model's and the search's).</summary>
    public int ConcavityPointsTried { get; init; }

    /// <summary>Number of parameters.</summary>
    public required int ParameterCount { get; init; }

    /// <summary>
    /// True when the exact Hessian of eta in the parameters vanishes at every analysed row, at the model's parameters
    /// and at every searched point: eta is linear in them. When it is false, the norm, rank and blocks below are those
    /// of the first point where it was found non-zero.
    /// </summary>
    public required bool EtaHessianIsZero { get; init; }

    /// <summary>
    /// Largest Frobenius norm of the eta Hessian over the spectrum rows (of a random unit combination of the outputs
    /// when there are several); a lower bound when <see cref="EtaHessianRankIsLowerBound"/>.
    /// </summary>
    public required double EtaHessianNorm { get; init; }

    /// <summary>Largest numerical rank of the eta Hessian over the spectrum rows (eigenvalues above P eps of the largest).</summary>
    public required int EtaHessianRank { get; init; }

    /// <summary>Parameter blocks (W1, b1, W2, ...) whose second derivatives of eta are non-zero, as "A x B" pairs.</summary>
    public required IReadOnlyList<string> InteractingBlocks { get; init; }

    /// <summary>Largest |eta(a t1 + b t2) - a eta(t1) - b eta(t2)| relative to the largest term (floored at 1), over the search.</summary>
    public required double AdditivityViolation { get; init; }

    /// <summary>Largest |eta(a t) - a eta(t)| relative to the largest term (floored at 1), over the search.</summary>
    public required double HomogeneityViolation { get; init; }

    /// <summary>The (a, b) of the largest additivity violation.</summary>
    public required (double A, double B) AdditivityWitness { get; init; }

    /// <summary>
    /// Largest eigenvalue of the log-likelihood's parameter Hessian at the model's parameters (null without responses);
    /// matrix-free, the largest Ritz value after <see cref="LinearityOptions.LanczosSteps"/> Lanczos steps (never above
    /// the true one, and exact once the Krylov space is exhausted).
    /// </summary>
    public double? LogLikelihoodMaxEigenvalue { get; init; }

    /// <summary>Smallest eigenvalue of the log-likelihood's parameter Hessian at the model's parameters (matrix-free, the smallest Ritz value: never below the true one).</summary>
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
        string sample = RowsGiven > RowsAnalysed ? string.Create(c, $" of {RowsGiven} (a seeded sample)") : "";
        sb.Append(c, $"  Analysed at {RowsAnalysed} rows{sample}; {ParameterCount} parameters; {(Method == HessianMethod.Dense ? "dense Hessians" : "matrix-free (Hessian-vector products)")}.").AppendLine();
        sb.Append("  eta in the parameters (exact Hessian-vector products by forward-over-reverse differentiation):").AppendLine();
        string rank = (EtaHessianRankIsLowerBound ? ">= " : "") + EtaHessianRank.ToString(c) + (EtaHessianRankIsIllDetermined ? "?" : "");
        sb.Append(c, $"    Hessian of eta: {(EtaHessianIsZero ? "zero" : "non-zero")} (relative to the gradient {EtaHessianRelativeNorm:G3}); largest Frobenius norm {EtaHessianNorm:G3}, rank {rank} of {ParameterCount} at {SpectrumRows} rows").AppendLine();
        if (PerturbedPointsTried > 0) sb.Append(c, $"    {(EtaHessianIsZero ? "zero" : "non-zero")} at {PerturbedPointsTried} random parameter points probed because it is zero at the model's").AppendLine();
        if (InteractingBlocks.Count > 0)
        {
            sb.Append("    interacting parameter blocks (rank): ")
              .Append(string.Join(", ", BlockInteractions.Where(b => b.Interacting).Select(b => string.Create(c, $"{b.First} x {b.Second} ({(b.RankIsLowerBound ? ">= " : "")}{b.Rank}{(b.RankIsIllDetermined ? "?" : "")})"))))
              .AppendLine();
        }

        sb.Append(c, $"    additivity  eta(a t1 + b t2) = a eta(t1) + b eta(t2): largest relative violation {AdditivityViolation:G3} over {AdditivityTrials} trials (a = {AdditivityWitness.A:F3}, b = {AdditivityWitness.B:F3})").AppendLine();
        sb.Append(c, $"    homogeneity eta(a t) = a eta(t): largest relative violation {HomogeneityViolation:G3}").AppendLine();
        if (LogLikelihoodMaxEigenvalue is double hi && LogLikelihoodMinEigenvalue is double lo)
        {
            sb.Append(c, $"  log-likelihood at the model's parameters: Hessian eigenvalues in [{lo:G3}, {hi:G3}]: {(LogLikelihoodConcaveAtModel is null ? "not evaluable (the curvature overflows)" : LogLikelihoodConcaveAtModel == true ? "concave" : "not concave")}").AppendLine();
            sb.Append("  search for a non-concave point: ")
              .Append(NonConcavePointFound == true ? string.Create(c, $"found (largest eigenvalue {NonConcaveEigenvalue:G3})") : "none found")
              .Append(c, $" among {ConcavityPointsTried} points")
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
