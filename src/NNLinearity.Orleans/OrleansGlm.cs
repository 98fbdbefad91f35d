using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Links;
using Orleans;

namespace NNLinearity.Orleans;

/// <summary>How the driver treats the cluster: retries of a partition whose silo failed, and the threads each partition gets.</summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record OrleansGlmOptions
{
    /// <summary>Attempts per partition and pass before the fit gives up (at least 1).</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Wait before the first retry; it doubles with each further attempt.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Threads a silo gives one partition's pass (-1: all its processors).</summary>
    public int PartitionThreads { get; init; } = 1;

    /// <summary>Told of each retry (the partition, the pass and the failure); null for none.</summary>
    public IProgress<GlmPartitionRetry>? Retries { get; init; }
}

/// <summary>A partition's pass that failed on its silo and is asked for again.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Pass">The pass.</param>
/// <param name="Attempt">The attempt that failed, from 1.</param>
/// <param name="Failure">What the cluster reported.</param>
public sealed record GlmPartitionRetry(int Partition, int Pass, int Attempt, Exception Failure);

/// <summary>
/// Fits GLMs on an Orleans cluster whose silos hold a data set's partitions: every IRLS pass asks each partition's
/// grain for its statistics at once, merges them in the fixed order of <see cref="Glm.Glm.FitPartitionedAsync"/> and takes
/// the step on the driver. A partition whose silo fails mid-pass is asked again (Orleans activates its grain on a
/// live silo); since a pass is a pure function of the coefficients and the partition's rows, the fit is the bits of
/// the single-process partitioned fit whatever the failures and the number of silos.
/// </summary>
/// <remarks>Thread safety: stateless; any number of fits may run at once.</remarks>
public static class OrleansGlm
{
    /// <summary>Fits a GLM to the partitions of <paramref name="dataset"/> held by the cluster.</summary>
    /// <param name="grains">The cluster client's grain factory.</param>
    /// <param name="dataset">The data set's name, as the silos' catalogs know it.</param>
    /// <param name="model">The columns, partitions, offset presence and names.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">The fit's options (intercept, start, control, progress, cancellation).</param>
    /// <param name="cluster">Retries and threads per partition.</param>
    /// <returns>The fit, without per-row results.</returns>
    /// <exception cref="ArgumentException">A row or option is refused (a data error is not retried: every silo would refuse it).</exception>
    /// <exception cref="GlmFitException">IRLS cannot find coefficients with a finite deviance.</exception>
    /// <exception cref="AggregateException">A partition failed <see cref="OrleansGlmOptions.MaxAttempts"/> times; its failures are inside.</exception>
    public static Task<GlmFit> FitAsync(IGrainFactory grains, string dataset, GlmPartitionedModel model, GlmFamily family, ILinkFunction? link = null,
        GlmStreamingOptions? options = null, OrleansGlmOptions? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(model);
        GlmPartitionKey.Of(dataset, 0); // checks the name
        cluster ??= new OrleansGlmOptions();
        if (cluster.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(cluster), cluster.MaxAttempts, $"MaxAttempts is {cluster.MaxAttempts}; it must be at least 1.");
        if (cluster.RetryDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(cluster), cluster.RetryDelay, $"RetryDelay is {cluster.RetryDelay}; it cannot be negative.");
        if (cluster.PartitionThreads is 0 or < -1) throw new ArgumentOutOfRangeException(nameof(cluster), cluster.PartitionThreads, $"PartitionThreads is {cluster.PartitionThreads}; it must be -1 or at least 1.");
        return Glm.Glm.FitPartitionedAsync(model, (partition, request, ct, _) => EvaluateAsync(grains, dataset, partition, request, cluster, ct), family, link, options);
    }

    private static async Task<GlmPassStatistics> EvaluateAsync(IGrainFactory grains, string dataset, int partition, GlmPassRequest request, OrleansGlmOptions cluster, CancellationToken ct)
    {
        byte[] wire = request.ToBytes();
        var failures = new List<Exception>();
        TimeSpan delay = cluster.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                IGlmPartitionGrain grain = grains.GetGrain<IGlmPartitionGrain>(GlmPartitionKey.Of(dataset, partition));
                byte[] answer = await grain.EvaluateAsync(wire, cluster.PartitionThreads).WaitAsync(ct).ConfigureAwait(false);
                return GlmPassStatistics.FromBytes(answer);
            }
            catch (Exception e) when (IsClusterFailure(e, ct))
            {
                failures.Add(e);
                cluster.Retries?.Report(new GlmPartitionRetry(partition, request.Pass, attempt, e));
                if (attempt >= cluster.MaxAttempts)
                {
                    throw new AggregateException($"Partition {partition} of \"{dataset}\" failed pass {request.Pass} {attempt} times; the fit stops.", failures);
                }

                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay += delay;
            }
        }
    }

    /// <summary>Failures of the cluster (a silo stopping or unreachable, a timeout, a cancelled call on the silo) rather than of the data or the model.</summary>
    private static bool IsClusterFailure(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException => !ct.IsCancellationRequested,
        ArgumentException or InvalidDataException or GlmFitException or NotSupportedException => false,
        _ => true,
    };
}
