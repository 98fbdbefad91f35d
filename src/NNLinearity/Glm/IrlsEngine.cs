using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using NNLinearity.Families;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>Thrown when IRLS cannot find coefficients with a finite deviance and valid means (R: "no valid set of coefficients has been found").</summary>
/// <remarks>Thread safety: as any exception, not meant to be shared while being thrown.</remarks>
public sealed class GlmFitException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public GlmFitException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public GlmFitException() { }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GlmFitException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The solved weighted least-squares step: coefficients (aliased ones 0) and the factorisation for the covariance.</summary>
internal sealed class IrlsStep
{
    public required double[] Beta { get; init; }
    public required int Rank { get; init; }
    public required bool[] Aliased { get; init; }
    public required Func<double[,]> UnscaledCovariance { get; init; }
    public required bool UsedQr { get; init; }
}

/// <summary>The outcome of an IRLS run, before inference.</summary>
internal sealed class IrlsResult
{
    public required double[] Beta { get; init; }
    public required double[] PreviousBeta { get; init; }
    public required IrlsStep LastStep { get; init; }
    public required double Deviance { get; init; }
    /// <summary>Per-row results: the first N entries are the rows' (pooled buffers are longer).</summary>
    public required double[] Eta { get; init; }
    public required double[] Mu { get; init; }
    public required double[] WorkingWeights { get; init; }
    public required int Iterations { get; init; }
    public required bool Converged { get; init; }
    public required bool Boundary { get; init; }
    /// <summary>Iterations at which step-halving brought back a finite deviance (R: "step size truncated due to divergence").</summary>
    public required IReadOnlyList<int> HalvedForDivergence { get; init; }
    /// <summary>Iterations at which step-halving brought eta and mu back inside their valid range (R: "step size truncated: out of bounds").</summary>
    public required IReadOnlyList<int> HalvedOutOfBounds { get; init; }
}

/// <summary>
/// IRLS / Fisher scoring as R's glm.fit, with every per-iteration quantity computed in one pass over X: for each
/// block of 128 rows, the block is read from the caller's memory into an L1-resident buffer (the intercept after the
/// predictors) with eta = X beta + offset computed in the same registers, then mu, the deviance, the working weights w
/// and response z, and the block's contribution to the lower triangle of [X z]^T W [X z] (X^T W X, X^T W z), put back
/// in the design's column order once per pass. The per-row loop is compiled once per link struct. Not thread-safe:
/// one fit owns an engine; its passes use the fit's worker threads internally.
/// </summary>
internal sealed unsafe class IrlsEngine : IDisposable
{
    private const int BlocksPerChunk = 32;
    private const int B = WeightedGram.BlockRows;
    private readonly DesignSource _x;
    private readonly double[] _y;
    private readonly double[] _w;
    private readonly double[] _offset; // empty when none
    private readonly GlmFamily _family;
    private readonly ILinkFunction _link;
    private readonly int _n;
    private readonly int _p;
    private readonly int _pp;          // padded columns of [X z]
    private readonly int _chunks;
    private readonly double[] _partialGram;
    private readonly double[] _partialDev;
    private readonly bool[] _partialValid;
    private readonly double _muLo;
    private readonly double _muHi;
    private readonly bool _floorDerivative;
    private readonly bool _anyFiniteEtaValid;
    private readonly ParallelOptions _parallel;
    private double _qrTolerance = 1e-11;

    // Per-row state of the latest pass; the working weights and response are double-buffered because the final
    // covariance uses those of the step before the last update (as R does).
    private readonly double[] _eta;
    private readonly double[] _mu;
    private double[] _ww;
    private double[] _wwPrev;
    private double[] _lastGram = [];
    private readonly RowBuffers _buffers = new();
    private readonly ConcurrentStack<Scratch> _scratch = new();

    // When false, a pass computes eta, mu and the deviance but not the weighted Gram (see Run).
    private bool _withGram = true;

    // When true, the first pass computes R's starting values of its rows itself (StartingValues), chunk by chunk.
    private bool _familyStart;
    private bool _gramComplete;

    // The per-row buffers (eta, mu and the working weights that Run returns) are pooled, longer than N, and given back
    // by Dispose: a fit that keeps them copies them first.
    public IrlsEngine(DesignSource x, double[] y, double[] weights, double[] offset, GlmFamily family, ILinkFunction link, int maxDegreeOfParallelism)
    {
        _x = x;
        _n = x.N;
        _p = x.P;
        _y = y;
        _w = weights;
        _offset = offset;
        _family = family;
        _link = link;
        _pp = WeightedGram.PaddedColumns(_p + 1);
        int blocks = (_n + B - 1) / B;
        _chunks = Math.Max(1, (blocks + BlocksPerChunk - 1) / BlocksPerChunk);
        _partialGram = _buffers.Rent(_chunks * _pp * _pp); // each chunk clears its own part before accumulating
        _partialDev = new double[_chunks];
        _partialValid = new bool[_chunks];
        _eta = _buffers.Rent(_n);
        _mu = _buffers.Rent(_n);
        _ww = _buffers.Rent(_n);
        _wwPrev = _buffers.Rent(_n);
        double lo = link.MeanLowerBound, hi = link.MeanUpperBound;
        _muLo = double.IsFinite(lo) ? lo + Special.Epsilon : double.NegativeInfinity;
        _muHi = double.IsFinite(hi) ? hi - Special.Epsilon : double.PositiveInfinity;
        _floorDerivative = double.IsFinite(lo) || double.IsFinite(hi);
        // Links whose inverse accepts every finite eta need no per-row check: eta is checked finite block by block.
        _anyFiniteEtaValid = link is IdentityLink or LogLink or LogitLink or ProbitLink or CloglogLink or LogLogLink or CauchitLink
            || (link is PowerLink pl && pl.Lambda is 0 or 1);
        long work = (long)_n * (_p + 1) * (_p + 2) / 2;
        int threads = maxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = work < 2_000_000 ? 1 : threads };
    }

    public double LastDeviance { get; private set; }

    /// <summary>Gives the pooled buffers back; the engine's per-row results must not be read afterwards.</summary>
    public void Dispose() => _buffers.Dispose();

    public bool LastValid { get; private set; }

    /// <summary>mu = g^-1(eta) kept inside the open image of the inverse link (R's clamps: eps from a finite bound).</summary>
    public double FittingMean(double eta) => Math.Clamp(_link.Inverse(eta), _muLo, _muHi);

    /// <summary>dmu/deta with R's floor of eps in magnitude for links whose inverse saturates.</summary>
    public double FittingDerivative(double eta)
    {
        double d = _link.InverseDerivative(eta);
        if (_floorDerivative && Math.Abs(d) < Special.Epsilon) d = double.CopySign(Special.Epsilon, d);
        return d;
    }

    public IrlsResult Run(ReadOnlySpan<double> start, ReadOnlySpan<double> startingMeans, double epsilon, int maxIterations, GlmSolver solver, bool speculate = true)
    {
        _qrTolerance = Math.Min(1e-7, epsilon / 1000); // R: min(1e-7, control$epsilon / 1000)
        double[]? coefOld = null;
        if (!start.IsEmpty)
        {
            coefOld = start.ToArray();
            Pass(coefOld);
        }
        else
        {
            if (startingMeans.IsEmpty && _link.GetType().Assembly == typeof(IrlsEngine).Assembly)
            {
                _familyStart = true; // each chunk of the first pass computes its own rows' starting values
            }
            else
            {
                if (startingMeans.IsEmpty)
                {
                    for (int i = 0; i < _n; i++) _mu[i] = _family.InitialMean(_y[i], _w[i]);
                }
                else
                {
                    startingMeans[.._n].CopyTo(_mu);
                }

                _link.Link(_mu.AsSpan(0, _n), _eta.AsSpan(0, _n)); // pooled buffers are longer than N
            }

            Pass(null);
            _familyStart = false;
        }

        if (!LastValid || !double.IsFinite(LastDeviance))
        {
            throw new GlmFitException("Cannot find valid starting values: the starting means give an invalid linear predictor or mean; supply Start or StartingMeans.");
        }

        double devOld = LastDeviance;
        double lastChange = double.PositiveInfinity;
        bool converged = false, boundary = false;
        int iter;
        double[] beta = coefOld ?? new double[_p];
        double[] previous = beta;
        IrlsStep? step = null;
        List<int> divergent = [], outOfBounds = [];
        for (iter = 1; iter <= maxIterations; iter++)
        {
            previous = beta;
            step = Solve(solver);
            beta = (double[])step.Beta.Clone();
            (_ww, _wwPrev) = (_wwPrev, _ww);

            // IRLS converges quadratically: once the last relative change c is below sqrt(epsilon) / 10, the next is
            // about c^2 and almost surely passes the rule, so that pass skips the Gram it would not need. If the rule
            // then fails, the pass is repeated with the Gram; either way the arithmetic that reaches the result is R's.
            _withGram = !(speculate && lastChange < Math.Sqrt(epsilon) / 10);
            Pass(beta);
            _withGram = true;
            boundary = false;
            if (!double.IsFinite(LastDeviance))
            {
                beta = Halve(beta, coefOld, maxIterations, requireValid: false);
                boundary = true;
                divergent.Add(iter);
            }

            if (!LastValid)
            {
                beta = Halve(beta, coefOld, maxIterations, requireValid: true);
                boundary = true;
                outOfBounds.Add(iter);
            }

            double dev = LastDeviance;
            double change = Math.Abs(dev - devOld) / (Math.Abs(dev) + 0.1);
            if (change < epsilon)
            {
                converged = true;
                break;
            }

            if (!_gramComplete) Pass(beta); // the speculation missed: the next step needs this pass's Gram
            lastChange = change;
            devOld = dev;
            coefOld = beta;
        }

        if (iter > maxIterations) iter = maxIterations;
        return new IrlsResult
        {
            Beta = beta,
            PreviousBeta = previous,
            LastStep = step!,
            Deviance = LastDeviance,
            Eta = _eta,
            Mu = _mu,
            WorkingWeights = _wwPrev,
            Iterations = iter,
            Converged = converged,
            Boundary = boundary,
            HalvedForDivergence = divergent,
            HalvedOutOfBounds = outOfBounds,
        };
    }

    /// <summary>
    /// R's starting values of rows [from, to), mu = family start(y, w) and eta = g(mu), row by row, remembering the last few distinct
    /// (y, w) pairs: responses and weights repeat (0/1 outcomes, small counts, unit weights), so most rows cost a
    /// lookup instead of a division and a logarithm. The values are the scalar formulas' bit for bit (the library's
    /// span Link is the scalar Link in a loop, which is why this is used for the built-in links only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private void StartingValues(int from, int to)
    {
        const int Slots = 64;
        Span<long> keyY = stackalloc long[Slots], keyW = stackalloc long[Slots];
        Span<double> memoMu = stackalloc double[Slots], memoEta = stackalloc double[Slots];
        keyY.Fill(-1); // a NaN pattern no finite response has
        keyW.Fill(-1);
        for (int i = from; i < to; i++)
        {
            long by = BitConverter.DoubleToInt64Bits(_y[i]), bw = BitConverter.DoubleToInt64Bits(_w[i]);
            int h = (int)((((ulong)(by ^ (by >> 29)) * 0x9E3779B97F4A7C15UL) ^ (ulong)(bw ^ (bw >> 31))) >> 58);
            if (keyY[h] != by || keyW[h] != bw)
            {
                double mu = _family.InitialMean(_y[i], _w[i]);
                keyY[h] = by;
                keyW[h] = bw;
                memoMu[h] = mu;
                memoEta[h] = _link.Link(mu);
            }

            _mu[i] = memoMu[h];
            _eta[i] = memoEta[h];
        }
    }

    private double[] Halve(double[] beta, double[]? coefOld, int maxIterations, bool requireValid)
    {
        if (coefOld is null)
        {
            throw new GlmFitException("No valid set of coefficients has been found: the first step leaves the valid region; supply Start or StartingMeans.");
        }

        int ii = 1;
        while (requireValid ? !LastValid : !double.IsFinite(LastDeviance))
        {
            if (ii > maxIterations)
            {
                throw new GlmFitException("Step-halving cannot bring the coefficients back to a finite deviance and valid means.");
            }

            ii++;
            for (int j = 0; j < beta.Length; j++) beta[j] = 0.5 * (beta[j] + coefOld[j]);
            Pass(beta);
        }

        return beta;
    }

    /// <summary>One pass at <paramref name="beta"/> with the Gram, returning its deviance (for the pass benchmark).</summary>
    internal double PassAt(double[] beta)
    {
        Pass(beta);
        return LastDeviance;
    }

    /// <summary>One pass over the rows at <paramref name="beta"/> (or at the eta already stored when null).</summary>
    private void Pass(double[]? beta)
    {
        switch (_link)
        {
            case IdentityLink l: Pass(l, beta); break;
            case LogLink l: Pass(l, beta); break;
            case LogitLink l: Pass(l, beta); break;
            case ProbitLink l: Pass(l, beta); break;
            case CloglogLink l: Pass(l, beta); break;
            case LogLogLink l: Pass(l, beta); break;
            case CauchitLink l: Pass(l, beta); break;
            case InverseLink l: Pass(l, beta); break;
            case InverseSquaredLink l: Pass(l, beta); break;
            case SqrtLink l: Pass(l, beta); break;
            case PowerLink l: Pass(l, beta); break;
            default: Pass(_link, beta); break;
        }
    }

    private void Pass<TLink>(TLink link, double[]? beta) where TLink : ILinkFunction
    {
        int pp = _pp;
        if (_parallel.MaxDegreeOfParallelism == 1 || _chunks == 1)
        {
            Scratch scratch = TakeScratch();
            for (int c = 0; c < _chunks; c++) Chunk(link, c, beta, scratch);
            _scratch.Push(scratch);
        }
        else
        {
            Parallel.For(0, _chunks, _parallel, TakeScratch, (c, _, scratch) =>
            {
                Chunk(link, c, beta, scratch);
                return scratch;
            }, _scratch.Push);
        }

        // Reduce in chunk order: the same sums in the same order for every thread count.
        double[] block = new double[pp * pp];
        double dev = 0;
        bool valid = true;
        for (int c = 0; c < _chunks; c++)
        {
            ReadOnlySpan<double> part = _partialGram.AsSpan(c * pp * pp, pp * pp);
            for (int k = 0; k < block.Length; k++) block[k] += part[k];
            dev += _partialDev[c];
            valid &= _partialValid[c];
        }

        // The blocks hold the intercept after the predictors (DesignSource.LoadRowsPredict); Solve reads the design's order.
        double[] gram = new double[pp * pp];
        DesignSource.GramToDesignOrder(block, gram, pp, _x.K, _x.Intercept);

        _lastGram = gram;
        _gramComplete = _withGram;
        LastDeviance = dev;
        LastValid = valid;
    }

    /// <summary>A pass's per-thread block buffers, kept for the engine's next pass (a pass uses one per worker).</summary>
    private Scratch TakeScratch() => _scratch.TryPop(out Scratch? s) ? s : new Scratch(_pp);

    private sealed class Scratch
    {
        private readonly double[] _u;
        private readonly int _uStart;

        public Scratch(int paddedColumns)
        {
            // The block starts on a cache line so that its rows' vector stores do not straddle lines.
            _u = GC.AllocateArray<double>(paddedColumns * B + 8, pinned: true);
            _uStart = (int)((64 - ((nuint)Unsafe.AsPointer(ref _u[0]) & 63)) & 63) / sizeof(double);
            Beta = new double[paddedColumns];
            Length = paddedColumns * B;
        }

        private int Length { get; }

        public Span<double> U => _u.AsSpan(_uStart, Length);

        public readonly double[] Beta;
        public readonly double[] DMu = new double[B];
        public readonly double[] Variance = new double[B];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Chunk<TLink>(TLink link, int c, double[]? beta, Scratch scratch) where TLink : ILinkFunction
    {
        int pp = _pp, p = _p, n = _n;
        Span<double> u = scratch.U;
        Span<double> gram = _partialGram.AsSpan(c * pp * pp, pp * pp);
        gram.Clear();
        double[] betaBlock = scratch.Beta;
        if (beta is not null) DesignSource.ToBlockOrder(beta, betaBlock, _x.K, _x.Intercept);

        double dev = 0;
        bool valid = true;
        bool prefetching = _x.PrefetchesWhileLoading(pp);
        // With the Gram, each block's kernel asks the cache for the next block's rows while it computes, and the loader
        // of that block does not ask again: the memory then works while the FMAs do.
        bool gramAsks = prefetching && _withGram;
        int rowEnd = Math.Min(n, (c + 1) * BlocksPerChunk * B);
        if (beta is null && _familyStart) StartingValues(c * BlocksPerChunk * B, rowEnd);
        for (int r0 = c * BlocksPerChunk * B; r0 < rowEnd; r0 += B)
        {
            int rows = Math.Min(B, n - r0);
            // Overlap the next block's read with this block's arithmetic (the AVX-512 loader asks for rows ahead itself).
            if (!prefetching && r0 + B < rowEnd) _x.Prefetch(r0 + B, Math.Min(B, rowEnd - r0 - B));
            Span<double> eta = _eta.AsSpan(r0, rows);
            // A NaN or infinite predictor makes eta non-finite (0 x Inf is NaN too), so the loader's check of eta covers
            // the rows; the first pass, whose eta comes from the starting means, has the loader check the rows themselves.
            if (!_x.LoadRowsPredict(r0, rows, u, pp, beta is null ? default : betaBlock, _offset.Length == 0 ? default : _offset.AsSpan(r0, rows), eta,
                    askAhead: !(gramAsks && r0 > c * BlocksPerChunk * B)))
            {
                _x.ThrowIfNotFinite(u, r0, rows, pp);
            }

            Span<double> mu = _mu.AsSpan(r0, rows);
            Span<double> dmu = scratch.DMu.AsSpan(0, rows);
            Span<double> variance = scratch.Variance.AsSpan(0, rows);
            if (beta is null) valid &= WeightedGram.AllFinite(eta); // g(starting means) must be finite (R: "cannot find valid starting values")
            link.Inverse(eta, mu, dmu);
            WorkingKernels.ClampMeans(mu, _muLo, _muHi);
            if (_floorDerivative) WorkingKernels.FloorMagnitude(dmu, Special.Epsilon);
            if (!_anyFiniteEtaValid)
            {
                for (int i = 0; i < rows; i++) valid &= link.IsValidLinearPredictor(eta[i]);
            }

            ReadOnlySpan<double> y = _y.AsSpan(r0, rows), w = _w.AsSpan(r0, rows);
            dev += _family.VarianceAndDeviance(y, mu, w, variance, ref valid);
            if (!_withGram) continue;
            Span<double> ww = _ww.AsSpan(r0, rows);
            WorkingKernels.WeightsAndResponse(eta, _offset.Length == 0 ? default : _offset.AsSpan(r0, rows), y, mu, dmu, w, variance, ww, dmu);
            WeightedGram.SetColumn(u, rows, pp, dmu, p);
            WeightedGram.Accumulate(u, rows, pp, ww, gram, gramAsks && r0 + B < rowEnd ? _x.RowLines(r0 + B, Math.Min(B, rowEnd - r0 - B)) : default, p + 1);
        }

        _partialDev[c] = dev;
        _partialValid[c] = valid;
    }

    private IrlsStep Solve(GlmSolver solver)
    {
        int p = _p, pp = _pp;
        if (solver == GlmSolver.Auto)
        {
            double[,] g = new double[p, p];
            double[] rhs = new double[p];
            for (int j = 0; j < p; j++)
            {
                for (int l = 0; l <= j; l++)
                {
                    g[j, l] = _lastGram[l * pp + j]; // the kernel stores the lower triangle transposed
                    g[l, j] = g[j, l];
                }

                rhs[j] = _lastGram[j * pp + p];
            }

            Cholesky? chol = Cholesky.TryFactor(g);
            // sqrt(d_j / G_jj) >= 1e-4 bounds the loss of the normal equations to about 1e-8 relative; below it R's QR
            // decides aliasing (its tolerance, 1e-11, is far below what the normal equations can resolve).
            if (chol is not null && chol.MinRelativePivot >= 1e-4)
            {
                return new IrlsStep
                {
                    Beta = chol.Solve(rhs),
                    Rank = p,
                    Aliased = new bool[p],
                    UnscaledCovariance = chol.Inverse,
                    UsedQr = false,
                };
            }
        }

        return SolveQr();
    }

    private IrlsStep SolveQr()
    {
        int n = _n, p = _p;
        double[] a = new double[n * p];
        double[] rhs = new double[n];
        for (int i = 0; i < n; i++)
        {
            // The working response of the latest pass, from its eta and mu (as the pass computed it).
            double s = Math.Sqrt(_ww[i]);
            double z = 0;
            if (s > 0)
            {
                double eta = _eta[i], off = _offset.Length == 0 ? 0.0 : _offset[i];
                z = eta - off + (_y[i] - _mu[i]) / FittingDerivative(eta);
            }

            rhs[i] = s * z;
            for (int j = 0; j < p; j++) a[j * n + i] = _x[i, j] * s;
        }

        var qr = new PivotedQr(a, n, p, _qrTolerance);
        double[] coef = qr.Solve(rhs);
        bool[] aliased = new bool[p];
        for (int j = 0; j < p; j++)
        {
            if (double.IsNaN(coef[j]))
            {
                aliased[j] = true;
                coef[j] = 0; // R keeps aliased coefficients at 0 while iterating and reports NA at the end
            }
        }

        return new IrlsStep { Beta = coef, Rank = qr.Rank, Aliased = aliased, UnscaledCovariance = qr.UnscaledCovariance, UsedQr = true };
    }
}
