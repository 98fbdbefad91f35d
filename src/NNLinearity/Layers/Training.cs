using System;
using System.Collections.Generic;
using System.Threading;

namespace NNLinearity.Layers;

/// <summary>The optimiser that trains a <see cref="StackedGlm{T}"/>.</summary>
public enum Optimizer
{
    /// <summary>Mini-batch stochastic gradient descent with (heavy-ball) momentum.</summary>
    Sgd,

    /// <summary>Mini-batch Adam (Kingma and Ba) with bias correction.</summary>
    Adam,

    /// <summary>Full-batch limited-memory BFGS with a strong-Wolfe line search; the choice for small models trained to convergence.</summary>
    Lbfgs,
}

/// <summary>Why training stopped. Only <see cref="Converged"/> claims that a convergence criterion held.</summary>
public enum TrainingStopReason
{
    /// <summary>The epoch (or L-BFGS iteration) budget ran out before any other rule stopped training.</summary>
    MaxEpochs,

    /// <summary>L-BFGS: the largest gradient component fell to <see cref="TrainingOptions.GradientTolerance"/> (a stationary point).</summary>
    Converged,

    /// <summary>
    /// The validation loss did not improve by more than <see cref="TrainingOptions.Tolerance"/> for
    /// <see cref="TrainingOptions.Patience"/> epochs; the parameters with the best validation loss were restored.
    /// </summary>
    EarlyStopping,

    /// <summary>The L-BFGS line search found no decrease along a fresh steepest-descent direction: the parameters are at a minimum to rounding, or the loss is too rough to descend.</summary>
    LineSearchFailed,

    /// <summary>
    /// The loss exploded or stopped being finite: a loss, gradient or step was not finite, or an epoch's training loss
    /// exceeded <see cref="TrainingOptions.DivergenceFactor"/> times the loss at the starting parameters (a learning
    /// rate too large, or far in a non-canonical link's tail, where w (mu - y) mu' / V(mu) exceeds the element type's
    /// range). The model keeps the best finite parameters seen: those with the lowest loss (validation loss with a
    /// split) at the start or at the end of an epoch.
    /// </summary>
    Diverged,

    /// <summary>
    /// SGD or Adam without a validation split: the training loss did not improve by more than
    /// <see cref="TrainingOptions.Tolerance"/> for <see cref="TrainingOptions.Patience"/> epochs. This is a plateau
    /// of the mini-batch loss, not a proof of a minimum; the model keeps its last parameters.
    /// </summary>
    NoImprovement,

    /// <summary>
    /// The options' cancellation token was cancelled. <c>Fit</c> then throws a <see cref="TrainingCanceledException"/>
    /// carrying the result so far; with a validation split the best validated parameters are restored, as early
    /// stopping does, otherwise the model keeps the parameters of the last completed step.
    /// </summary>
    Canceled,
}

/// <summary>Settings for <see cref="StackedGlm{T}.Fit(ReadOnlySpan{T}, ReadOnlySpan{T}, int, TrainingOptions?)"/>.</summary>
/// <remarks>Thread safety: an immutable record; one instance may configure several trainings at once (its Progress receives their reports concurrently then).</remarks>
public sealed record TrainingOptions
{
    /// <summary>The optimiser (Adam by default).</summary>
    public Optimizer Optimizer { get; init; } = Optimizer.Adam;

    /// <summary>Step size for SGD and Adam (0.001 by default).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>SGD momentum in [0, 1) (0.9 by default).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Adam's first-moment decay (0.9).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's second-moment decay (0.999).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam's denominator floor (1e-8).</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Rows per mini-batch (32); ignored by L-BFGS, which uses every row.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Passes over the data for SGD and Adam, iterations for L-BFGS (200).</summary>
    public int MaxEpochs { get; init; } = 200;

    /// <summary>L2 penalty lambda: the loss gains lambda / 2 times the sum of squared weights (biases are not penalised).</summary>
    public double L2 { get; init; }

    /// <summary>Seed of the shuffling and of the validation split.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of rows held out for early stopping (0 = none).</summary>
    public double ValidationFraction { get; init; }

    /// <summary>Epochs without an improvement larger than <see cref="Tolerance"/> before stopping (10).</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Smallest loss improvement that counts for <see cref="Patience"/> (1e-6; SGD and Adam).</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>
    /// SGD and Adam stop with <see cref="TrainingStopReason.Diverged"/> when an epoch's training loss exceeds this
    /// multiple of the loss at the starting parameters (1000); at least 1, or infinity to turn the rule off.
    /// </summary>
    public double DivergenceFactor { get; init; } = 1000;

    /// <summary>L-BFGS stops when the largest gradient component falls below this (1e-10).</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>L-BFGS memory (10 pairs).</summary>
    public int LbfgsMemory { get; init; } = 10;

    /// <summary>Threads for the kernels (0 = all cores). The trained model does not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>Receives one report per epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Cancels training between mini-batches (L-BFGS: between iterations). <c>Fit</c> then throws a
    /// <see cref="TrainingCanceledException"/> whose <see cref="TrainingCanceledException.Result"/> holds the history;
    /// with a validation split the best validated parameters are restored, otherwise the model keeps the parameters
    /// of the last completed step.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>One epoch's report.</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
/// <param name="Epoch">The epoch (or L-BFGS iteration), from 1.</param>
/// <param name="TrainingLoss">Training loss: half the mean deviance plus the penalty (for SGD and Adam, the mean over the epoch's batches).</param>
/// <param name="ValidationLoss">Loss on the held-out rows, when there are any.</param>
/// <param name="Elapsed">Time since training started.</param>
public readonly record struct TrainingProgress(int Epoch, double TrainingLoss, double? ValidationLoss, TimeSpan Elapsed);

/// <summary>What training did.</summary>
/// <remarks>Thread safety: immutable once returned; safe to share across threads.</remarks>
public sealed class TrainingResult
{
    internal TrainingResult(int epochs, double loss, double? validationLoss, TrainingStopReason reason, IReadOnlyList<TrainingProgress> history)
    {
        Epochs = epochs;
        TrainingLoss = loss;
        ValidationLoss = validationLoss;
        StopReason = reason;
        History = history;
    }

    /// <summary>Epochs (or L-BFGS iterations) completed.</summary>
    public int Epochs { get; }

    /// <summary>Final training loss (half the mean deviance plus the penalty) at the returned parameters.</summary>
    public double TrainingLoss { get; }

    /// <summary>Final validation loss, when rows were held out.</summary>
    public double? ValidationLoss { get; }

    /// <summary>Why training stopped.</summary>
    public TrainingStopReason StopReason { get; }

    /// <summary>Every epoch's report.</summary>
    public IReadOnlyList<TrainingProgress> History { get; }
}

/// <summary>Training was cancelled through <see cref="TrainingOptions.CancellationToken"/>; the run so far is in <see cref="Result"/>.</summary>
/// <remarks>Thread safety: as any exception; its Result is immutable.</remarks>
public sealed class TrainingCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception without a result.</summary>
    public TrainingCanceledException()
    {
    }

    /// <summary>Creates the exception with a message and no result.</summary>
    /// <param name="message">The message.</param>
    public TrainingCanceledException(string? message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message, an inner exception and no result.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TrainingCanceledException(string? message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a cancelled run.</summary>
    /// <param name="result">What training did up to the cancellation (stop reason <see cref="TrainingStopReason.Canceled"/>).</param>
    /// <param name="token">The token that was cancelled.</param>
    public TrainingCanceledException(TrainingResult result, CancellationToken token)
        : base($"Training was cancelled after {result?.Epochs} epoch(s); the run so far is in Result.", token)
    {
        Result = result;
    }

    /// <summary>What training did up to the cancellation: epochs, losses at the parameters the model kept, and the history.</summary>
    public TrainingResult? Result { get; }
}
