using System;
using System.Collections.Generic;
using System.Threading;

namespace NNLinearity.Glm;

/// <summary>Settings of a streamed or distributed GLM fit (<see cref="Glm.FitStreaming(IGlmChunkSource, NNLinearity.Families.GlmFamily, NNLinearity.Links.ILinkFunction?, GlmStreamingOptions?)"/>).</summary>
/// <remarks>Thread safety: immutable; one instance may configure any number of fits at once (its progress sink is called from the fitting thread).</remarks>
public sealed record GlmStreamingOptions
{
    /// <summary>True (the default) to add an intercept column.</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>The predictors' names; when null, the source's names, else x1, x2, ...</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Starting coefficients (intercept first), or null for R's starting means.</summary>
    public IReadOnlyList<double>? Start { get; init; }

    /// <summary>R's convergence tolerance on the relative change of the deviance.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>R's maximum number of IRLS iterations.</summary>
    public int MaxIterations { get; init; } = 25;

    /// <summary>Threads that sum a partition's row tiles (-1: all processors). The fit is the same bits for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Told after every chunk and at the end of every pass; null for none.</summary>
    public IProgress<GlmStreamingProgress>? Progress { get; init; }

    /// <summary>Stops the fit between chunks with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>Where a streamed fit is: the pass, the IRLS iteration it serves, and the rows read in it so far.</summary>
/// <param name="Pass">The pass over the data, from 1.</param>
/// <param name="Purpose">What the pass is for.</param>
/// <param name="RowsRead">Rows read so far in this pass (over every partition).</param>
/// <param name="Complete">True for the report at the end of the pass.</param>
public sealed record GlmStreamingProgress(int Pass, GlmPassPurpose Purpose, long RowsRead, bool Complete);

/// <summary>Why a streamed fit reads the data once more.</summary>
public enum GlmPassPurpose
{
    /// <summary>Starting values (R's mustart), and the first weighted Gram matrix.</summary>
    Start,

    /// <summary>The deviance at new coefficients and the next step's Gram matrix.</summary>
    Iteration,

    /// <summary>A halved step, after a deviance that was not finite or means outside the valid range.</summary>
    StepHalving,

    /// <summary>The Gram matrix of a final pass whose convergence was expected but did not come.</summary>
    GramRepeat,

    /// <summary>The intercept-only refit with the offset that gives the null deviance (as R).</summary>
    NullModel,

    /// <summary>A formula fit's first pass: every factor's levels over the complete rows.</summary>
    Levels,

    /// <summary>
    /// The check of a separation certificate (binomial or Poisson means at their boundary): every row against the
    /// direction of the last step, as the in-memory fit checks it; only in process, and only when a mean is that near.
    /// </summary>
    Separation,
}
