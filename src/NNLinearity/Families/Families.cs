using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics;
using NNLinearity.Kernels;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Families;

/// <summary>The Gaussian family: V(mu) = 1, deviance = weighted residual sum of squares.</summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class GaussianFamily : GlmFamily
{
    /// <inheritdoc />
    public override string Name => "gaussian";

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => new IdentityLink();

    /// <inheritdoc />
    public override bool EstimatesDispersion => true;

    /// <inheritdoc />
    public override int ExtraParameters => 1;

    /// <inheritdoc />
    public override string ResponseSupport => "finite real numbers";

    /// <inheritdoc />
    public override double Variance(double mu) => 1.0;

    internal override double VarianceDerivative(double mu) => 0.0;

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight) => weight * (y - mu) * (y - mu);

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => double.IsFinite(y);

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => true;

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => y;

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link) => link is PowerLink || IsOneOf(link, typeof(IdentityLink), typeof(LogLink), typeof(InverseLink));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance)
    {
        // R: nobs * (log(2 pi dev / nobs) + 1) + 2 - sum(log(wt)), over the observations that carry weight.
        double n = 0, sumLogW = 0;
        foreach (double w in weights)
        {
            if (w > 0)
            {
                n++;
                sumLogW += Math.Log(w);
            }
        }

        return n * (Math.Log(2 * Math.PI * deviance / n) + 1) + 2 - sumLogW;
    }

    /// <summary>Sums: rows with positive weight, the sum of their log weights.</summary>
    internal override int AicSumCount => 2;

    internal override void AccumulateAicSums(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> sums)
    {
        foreach (double w in weights)
        {
            if (w > 0)
            {
                sums[0]++;
                sums[1] += Math.Log(w);
            }
        }
    }

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance) =>
        sums[0] * (Math.Log(2 * Math.PI * deviance / sums[0]) + 1) + 2 - sums[1];
}

/// <summary>
/// The binomial family: V(mu) = mu (1 - mu). Responses are proportions in [0, 1]; with trial counts as prior weights
/// they are success proportions (R's <c>glm(y ~ x, weights = n, family = binomial)</c>).
/// </summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public class BinomialFamily : GlmFamily
{
    /// <inheritdoc />
    public override string Name => "binomial";

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => new LogitLink();

    /// <inheritdoc />
    public override bool EstimatesDispersion => false;

    /// <inheritdoc />
    public override string ResponseSupport => "proportions in [0, 1]";

    /// <inheritdoc />
    public override double Variance(double mu) => mu * (1.0 - mu);

    internal override double VarianceDerivative(double mu) => 1.0 - 2.0 * mu;

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight) => 2.0 * weight * (YLogY(y, mu) + YLogY(1.0 - y, 1.0 - mu));

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => y >= 0 && y <= 1;

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => mu > 0 && mu < 1;

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => (weight * y + 0.5) / (weight + 1.0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override double VarianceAndDeviance(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> variance, ref bool valid)
        => VectorMath.Use512 ? VarianceAndDeviance<Vec512D>(y, mu, weights, variance, ref valid) : VarianceAndDeviance<VecD>(y, mu, weights, variance, ref valid);

    /// <summary>
    /// <see cref="VarianceAndDeviance(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, ref bool)"/>
    /// on one vector width (tests run each width): vectorised for 0/1 responses, where the deviance of a row is
    /// -2 w log(mu) or -2 w log(1 - mu); from the first vector holding a proportion, row by row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double VarianceAndDeviance<TV>(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> variance, ref bool valid)
        where TV : struct, ISimd<TV, double>
    {
        int vw = TV.Count, i = 0;
        TV acc = TV.Create(0), zero = TV.Create(0), one = TV.Create(1);
        bool ok = true;
        ref double yr = ref MemoryMarshal.GetReference(y), mr = ref MemoryMarshal.GetReference(mu), wr = ref MemoryMarshal.GetReference(weights), vr = ref MemoryMarshal.GetReference(variance);
        for (; i <= mu.Length - vw; i += vw)
        {
            TV m = TV.Load(ref mr, (nuint)i), yi = TV.Load(ref yr, (nuint)i);
            if (!TV.AllTrue(TV.Equal(yi * (one - yi), zero))) break; // y (1 - y) is 0 exactly for y = 0 or 1: proportions take the scalar path
            TV oneMinus = one - m;
            TV.Store(m * oneMinus, ref vr, (nuint)i);
            ok &= TV.AllTrue(TV.GreaterThan(m, zero)) && TV.AllTrue(TV.LessThan(m, one));
            acc -= TV.Load(ref wr, (nuint)i) * VectorMath.Log(TV.Select(TV.Equal(yi, one), m, oneMinus));
        }

        double dev = 2.0 * TV.Sum(acc);
        for (; i < mu.Length; i++)
        {
            double m = mu[i], yi = y[i];
            variance[i] = m * (1.0 - m);
            ok &= m > 0 && m < 1;
            double d = YLogY(yi, m) + YLogY(1.0 - yi, 1.0 - m);
            dev += 2.0 * weights[i] * d;
        }

        valid &= ok;
        return dev;
    }

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link)
        => IsOneOf(link, typeof(LogitLink), typeof(ProbitLink), typeof(CloglogLink), typeof(LogLogLink), typeof(CauchitLink), typeof(LogLink));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance)
    {
        // R: m = wt (one trial per row, weights = trials); -2 sum(dbinom(round(m y), round(m), mu, log = TRUE)).
        // With one trial per row and 0/1 responses the saturated log-likelihood is 0, so this is the deviance exactly.
        if (weights.IndexOfAnyExcept(1.0) < 0 && AllZeroOrOne(y)) return deviance;
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double m = weights[i];
            if (m <= 0) continue;
            s += LogBinomialPmf(Math.Round(m * y[i], MidpointRounding.ToEven), Math.Round(m, MidpointRounding.ToEven), mu[i]);
        }

        return -2.0 * s;
    }

    /// <summary>Sums: rows that are not one 0/1 trial, the log binomial probabilities of the rows with weight.</summary>
    internal override int AicSumCount => 2;

    internal override void AccumulateAicSums(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> sums)
    {
        for (int i = 0; i < y.Length; i++)
        {
            double m = weights[i];
            if (m != 1.0 || (y[i] != 0.0 && y[i] != 1.0)) sums[0]++;
            if (m <= 0) continue;
            sums[1] += LogBinomialPmf(Math.Round(m * y[i], MidpointRounding.ToEven), Math.Round(m, MidpointRounding.ToEven), mu[i]);
        }
    }

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance) => sums[0] == 0 ? deviance : -2.0 * sums[1];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllZeroOrOne(ReadOnlySpan<double> y)
    {
        int vw = Vector<double>.Count, i = 0;
        var all = Vector<long>.AllBitsSet;
        for (; i <= y.Length - vw; i += vw)
        {
            var v = new Vector<double>(y[i..]);
            all &= Vector.Equals(v, Vector<double>.Zero) | Vector.Equals(v, Vector<double>.One);
        }

        bool ok = Vector.EqualsAll(all, Vector<long>.AllBitsSet);
        for (; i < y.Length; i++) ok &= y[i] == 0 || y[i] == 1;
        return ok;
    }

    private static double LogBinomialPmf(double k, double n, double p)
    {
        double logChoose = n == 1 ? 0.0 : Special.LogFactorial(n) - Special.LogFactorial(k) - Special.LogFactorial(n - k);
        double a = k == 0 ? 0.0 : k * Math.Log(p);
        double b = n - k == 0 ? 0.0 : (n - k) * Special.Log1P(-p);
        return logChoose + a + b;
    }
}

/// <summary>The quasi-binomial family: binomial variance and deviance, dispersion estimated, no likelihood.</summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class QuasiBinomialFamily : BinomialFamily
{
    internal override int AicSumCount => 0;

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance) => null;

    /// <inheritdoc />
    public override string Name => "quasibinomial";

    /// <inheritdoc />
    public override bool EstimatesDispersion => true;

    /// <inheritdoc />
    public override bool HasLikelihood => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance) => null;
}

/// <summary>The Poisson family: V(mu) = mu, non-negative responses.</summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public class PoissonFamily : GlmFamily
{
    /// <inheritdoc />
    public override string Name => "poisson";

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => new LogLink();

    /// <inheritdoc />
    public override bool EstimatesDispersion => false;

    /// <inheritdoc />
    public override string ResponseSupport => "non-negative counts";

    /// <inheritdoc />
    public override double Variance(double mu) => mu;

    internal override double VarianceDerivative(double mu) => 1.0;

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight)
        => 2.0 * weight * (y > 0 ? y * Math.Log(y / mu) - (y - mu) : mu);

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => y >= 0 && double.IsFinite(y);

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => mu > 0 && double.IsFinite(mu);

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => y + 0.1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override double VarianceAndDeviance(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> variance, ref bool valid)
        => VectorMath.Use512 ? VarianceAndDeviance<Vec512D>(y, mu, weights, variance, ref valid) : VarianceAndDeviance<VecD>(y, mu, weights, variance, ref valid);

    /// <summary>
    /// <see cref="VarianceAndDeviance(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, ref bool)"/>
    /// on one vector width (tests run each width): 2 w (y log(y / mu) - (y - mu)), with log(1) = 0 standing in for y = 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double VarianceAndDeviance<TV>(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> variance, ref bool valid)
        where TV : struct, ISimd<TV, double>
    {
        int vw = TV.Count, i = 0;
        TV acc = TV.Create(0), zero = TV.Create(0), one = TV.Create(1), infinity = TV.Create(double.PositiveInfinity);
        bool ok = true;
        ref double yr = ref MemoryMarshal.GetReference(y), mr = ref MemoryMarshal.GetReference(mu), wr = ref MemoryMarshal.GetReference(weights), vr = ref MemoryMarshal.GetReference(variance);
        for (; i <= mu.Length - vw; i += vw)
        {
            TV m = TV.Load(ref mr, (nuint)i), yi = TV.Load(ref yr, (nuint)i);
            TV.Store(m, ref vr, (nuint)i);
            ok &= TV.AllTrue(TV.GreaterThan(m, zero)) && TV.AllTrue(TV.LessThan(m, infinity));
            TV ratio = TV.Select(TV.GreaterThan(yi, zero), yi / m, one);
            acc += TV.Load(ref wr, (nuint)i) * (yi * VectorMath.Log(ratio) - (yi - m));
        }

        double dev = 2.0 * TV.Sum(acc);
        for (; i < mu.Length; i++)
        {
            double m = mu[i], yi = y[i];
            variance[i] = m;
            ok &= m > 0 && double.IsFinite(m);
            dev += 2.0 * weights[i] * (yi > 0 ? yi * Math.Log(yi / m) - (yi - m) : m);
        }

        valid &= ok;
        return dev;
    }

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link) => IsOneOf(link, typeof(LogLink), typeof(IdentityLink), typeof(SqrtLink));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance)
    {
        // R: -2 sum(dpois(y, mu, log = TRUE) * wt), with the logarithms taken a vector at a time. dpois is -Inf at a
        // non-integer count (R warns "non-integer x"), so the AIC is then +Inf.
        for (int i = 0; i < y.Length; i++)
        {
            if (weights[i] > 0 && y[i] != Math.Floor(y[i])) return double.PositiveInfinity;
        }

        double s = 0;
        Span<double> logMu = stackalloc double[256];
        for (int r0 = 0; r0 < y.Length; r0 += logMu.Length)
        {
            int rows = Math.Min(logMu.Length, y.Length - r0);
            VectorMath.Log(mu.Slice(r0, rows), logMu);
            for (int i = 0; i < rows; i++)
            {
                double w = weights[r0 + i], yi = y[r0 + i];
                if (w <= 0) continue;
                s += w * ((yi == 0 ? 0.0 : yi * logMu[i]) - mu[r0 + i] - Special.LogFactorial(yi));
            }
        }

        return -2.0 * s;
    }

    /// <summary>Sums: rows with weight and a non-integer count, the weighted log Poisson probabilities.</summary>
    internal override int AicSumCount => 2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void AccumulateAicSums(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> sums)
    {
        Span<double> logMu = stackalloc double[256];
        for (int r0 = 0; r0 < y.Length; r0 += logMu.Length)
        {
            int rows = Math.Min(logMu.Length, y.Length - r0);
            VectorMath.Log(mu.Slice(r0, rows), logMu);
            for (int i = 0; i < rows; i++)
            {
                double w = weights[r0 + i], yi = y[r0 + i];
                if (w <= 0) continue;
                if (yi != Math.Floor(yi))
                {
                    sums[0]++;
                    continue;
                }

                sums[1] += w * ((yi == 0 ? 0.0 : yi * logMu[i]) - mu[r0 + i] - Special.LogFactorial(yi));
            }
        }
    }

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance) => sums[0] > 0 ? double.PositiveInfinity : -2.0 * sums[1];
}

/// <summary>The quasi-Poisson family: Poisson variance and deviance, dispersion estimated, no likelihood.</summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class QuasiPoissonFamily : PoissonFamily
{
    internal override int AicSumCount => 0;

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance) => null;

    /// <inheritdoc />
    public override string Name => "quasipoisson";

    /// <inheritdoc />
    public override bool EstimatesDispersion => true;

    /// <inheritdoc />
    public override bool HasLikelihood => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance) => null;
}

/// <summary>The Gamma family: V(mu) = mu^2, positive responses.</summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class GammaFamily : GlmFamily
{
    /// <inheritdoc />
    public override string Name => "Gamma";

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => new InverseLink();

    /// <inheritdoc />
    public override bool EstimatesDispersion => true;

    /// <inheritdoc />
    public override int ExtraParameters => 1;

    /// <inheritdoc />
    public override string ResponseSupport => "positive real numbers";

    /// <inheritdoc />
    public override double Variance(double mu) => mu * mu;

    internal override double VarianceDerivative(double mu) => 2.0 * mu;

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight)
        => -2.0 * weight * (Math.Log(y == 0 ? 1.0 : y / mu) - (y - mu) / mu);

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => y > 0 && double.IsFinite(y);

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => mu > 0 && double.IsFinite(mu);

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => y;

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link) => IsOneOf(link, typeof(InverseLink), typeof(IdentityLink), typeof(LogLink));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance)
    {
        // R: disp = dev / sum(wt); -2 sum(dgamma(y, 1/disp, scale = mu disp, log = TRUE) wt) + 2.
        double sumW = 0;
        foreach (double w in weights) sumW += w;
        double disp = deviance / sumW;
        double shape = 1.0 / disp;
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (weights[i] <= 0) continue;
            double scale = mu[i] * disp;
            double logD = -Special.LogGamma(shape) - shape * Math.Log(scale) + (shape - 1.0) * Math.Log(y[i]) - y[i] / scale;
            s += weights[i] * logD;
        }

        return -2.0 * s + 2.0;
    }

    /// <summary>Sums over rows with weight: w, w log mu, w log y, w y / mu (the dispersion dev / sum(w) is applied at the end).</summary>
    internal override int AicSumCount => 4;

    internal override void AccumulateAicSums(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> sums)
    {
        for (int i = 0; i < y.Length; i++)
        {
            double w = weights[i];
            if (w <= 0) continue;
            sums[0] += w;
            sums[1] += w * Math.Log(mu[i]);
            sums[2] += w * Math.Log(y[i]);
            sums[3] += w * y[i] / mu[i];
        }
    }

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance)
    {
        double sumW = sums[0], disp = deviance / sumW, shape = 1.0 / disp;
        double s = -Special.LogGamma(shape) * sumW - shape * (sums[1] + Math.Log(disp) * sumW) + (shape - 1.0) * sums[2] - sums[3] / disp;
        return -2.0 * s + 2.0;
    }
}

/// <summary>The inverse Gaussian family: V(mu) = mu^3, positive responses.</summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class InverseGaussianFamily : GlmFamily
{
    /// <inheritdoc />
    public override string Name => "inverse.gaussian";

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => new InverseSquaredLink();

    /// <inheritdoc />
    public override bool EstimatesDispersion => true;

    /// <inheritdoc />
    public override int ExtraParameters => 1;

    /// <inheritdoc />
    public override string ResponseSupport => "positive real numbers";

    /// <inheritdoc />
    public override double Variance(double mu) => mu * mu * mu;

    internal override double VarianceDerivative(double mu) => 3.0 * mu * mu;

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight) => weight * (y - mu) * (y - mu) / (y * mu * mu);

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => y > 0 && double.IsFinite(y);

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => true;

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => y;

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link)
        => IsOneOf(link, typeof(InverseSquaredLink), typeof(InverseLink), typeof(IdentityLink), typeof(LogLink));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance)
    {
        // R: sum(wt) (1 + log(dev / sum(wt) 2 pi)) + 3 sum(log(y) wt) + 2.
        double sumW = 0, sumLogY = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (weights[i] <= 0) continue;
            sumW += weights[i];
            sumLogY += weights[i] * Math.Log(y[i]);
        }

        return sumW * (1 + Math.Log(deviance / sumW * 2 * Math.PI)) + 3 * sumLogY + 2;
    }

    /// <summary>Sums over rows with weight: w, w log y.</summary>
    internal override int AicSumCount => 2;

    internal override void AccumulateAicSums(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> sums)
    {
        for (int i = 0; i < y.Length; i++)
        {
            if (weights[i] <= 0) continue;
            sums[0] += weights[i];
            sums[1] += weights[i] * Math.Log(y[i]);
        }
    }

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance) =>
        sums[0] * (1 + Math.Log(deviance / sums[0] * 2 * Math.PI)) + 3 * sums[1] + 2;
}

/// <summary>The negative binomial family with known shape theta (MASS::negative.binomial): V(mu) = mu + mu^2 / theta. The dispersion is fixed at 1, as for MASS::glm.nb.</summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class NegativeBinomialFamily : GlmFamily
{
    /// <summary>Creates the family with shape <paramref name="theta"/>.</summary>
    /// <param name="theta">The shape parameter, positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="theta"/> is not positive and finite.</exception>
    public NegativeBinomialFamily(double theta)
    {
        if (!(theta > 0) || !double.IsFinite(theta))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "The negative binomial shape theta must be positive and finite.");
        }

        Theta = theta;
    }

    /// <summary>The shape parameter theta.</summary>
    public double Theta { get; }

    /// <inheritdoc />
    public override string Name => FormattableString.Invariant($"Negative Binomial({Theta:0.####})");

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => new LogLink();

    /// <inheritdoc />
    public override bool EstimatesDispersion => false;

    /// <inheritdoc />
    public override string ResponseSupport => "non-negative counts";

    /// <inheritdoc />
    public override double Variance(double mu) => mu + mu * mu / Theta;

    internal override double VarianceDerivative(double mu) => 1.0 + 2.0 * mu / Theta;

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight)
        => 2.0 * weight * (y * Math.Log(Math.Max(1.0, y) / mu) - (y + Theta) * Math.Log((y + Theta) / (mu + Theta)));

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => y >= 0 && double.IsFinite(y);

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => mu > 0;

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => y == 0 ? 1.0 / 6.0 : y;

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link) => IsOneOf(link, typeof(LogLink), typeof(IdentityLink), typeof(SqrtLink));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance)
    {
        double t = Theta, s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (weights[i] <= 0) continue;
            double yi = y[i];
            double term = (yi + t) * Math.Log(mu[i] + t) - (yi == 0 ? 0.0 : yi * Math.Log(mu[i])) + Special.LogFactorial(yi)
                - t * Math.Log(t) + Special.LogGamma(t) - Special.LogGamma(t + yi);
            s += weights[i] * term;
        }

        return 2.0 * s;
    }

    /// <summary>One sum: the weighted negative log-likelihood terms.</summary>
    internal override int AicSumCount => 1;

    internal override void AccumulateAicSums(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> sums)
    {
        double? part = AicTerm(y, mu, weights, 0);
        sums[0] += part!.Value / 2.0;
    }

    internal override double? AicFromSums(ReadOnlySpan<double> sums, double deviance) => 2.0 * sums[0];
}

/// <summary>
/// The Tweedie family with variance power p (statmod::tweedie): V(mu) = mu^p, the dispersion estimated. p = 0 is the
/// normal variance, 1 the (quasi-)Poisson, in (1, 2) the compound Poisson-Gamma with exact zeros, 2 the Gamma, 3 the
/// inverse Gaussian; other powers give quasi-likelihood fits (p in (0, 1) belongs to no distribution), as in statmod.
/// It has no closed-form likelihood, so AIC is not reported (R reports NA).
/// </summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class TweedieFamily : GlmFamily
{
    /// <summary>Creates the family with variance power <paramref name="power"/>.</summary>
    /// <param name="power">The variance power: any finite number.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="power"/> is not finite.</exception>
    public TweedieFamily(double power)
    {
        if (!double.IsFinite(power)) throw new ArgumentOutOfRangeException(nameof(power), power, "The Tweedie variance power must be a finite number.");
        Power = power;
    }

    /// <summary>The variance power p.</summary>
    public double Power { get; }

    /// <inheritdoc />
    public override string Name => "Tweedie";

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => Power == 1 ? new LogLink() : new PowerLink(1.0 - Power);

    /// <inheritdoc />
    public override bool EstimatesDispersion => true;

    /// <inheritdoc />
    public override bool HasLikelihood => false;

    /// <inheritdoc />
    public override string ResponseSupport => Power == 0 ? "real numbers" : "non-negative real numbers";

    /// <inheritdoc />
    public override double Variance(double mu) => Power == 0 ? 1.0 : Math.Pow(mu, Power);

    internal override double VarianceDerivative(double mu) => Power == 0 ? 0.0 : Power * Math.Pow(mu, Power - 1.0);

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight)
    {
        // statmod: y1 = y + 0.1 [y = 0]; theta and kappa take their limits (logarithms) at p = 1 and p = 2.
        double p = Power;
        double y1 = y == 0 ? 0.1 : y;
        double theta = p == 1 ? Math.Log(y1 / mu) : (Math.Pow(y1, 1 - p) - Math.Pow(mu, 1 - p)) / (1 - p);
        double kappa = p == 2 ? Math.Log(y1 / mu) : (Math.Pow(y, 2 - p) - Math.Pow(mu, 2 - p)) / (2 - p);
        return 2.0 * weight * (y * theta - kappa);
    }

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => double.IsFinite(y) && (Power == 0 || y >= 0);

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => Power == 0 ? double.IsFinite(mu) : Power > 0 ? mu >= 0 : mu > 0;

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => y == 0 ? 0.1 : y;

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link) => link is PowerLink || IsOneOf(link, typeof(LogLink), typeof(IdentityLink), typeof(InverseLink), typeof(SqrtLink), typeof(InverseSquaredLink));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance) => null;
}

/// <summary>The variance functions of R's <c>quasi</c> family.</summary>
public enum QuasiVariance
{
    /// <summary>V(mu) = 1 (R's "constant").</summary>
    Constant,

    /// <summary>V(mu) = mu (1 - mu), means in (0, 1) (R's "mu(1-mu)").</summary>
    MuOneMinusMu,

    /// <summary>V(mu) = mu, means above 0 (R's "mu").</summary>
    Mu,

    /// <summary>V(mu) = mu^2 (R's "mu^2").</summary>
    MuSquared,

    /// <summary>V(mu) = mu^3 (R's "mu^3").</summary>
    MuCubed,
}

/// <summary>
/// R's <c>quasi(link, variance)</c>: a quasi-likelihood with a chosen variance function and any link (identity unless
/// given), the dispersion estimated, the deviance R's for that variance, no likelihood (AIC is NA).
/// </summary>
/// <remarks>Thread safety: immutable; one instance may serve any number of fits and threads at once.</remarks>
public sealed class QuasiFamily : GlmFamily
{
    /// <summary>Creates the family.</summary>
    /// <param name="variance">The variance function.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="variance"/> is not defined.</exception>
    public QuasiFamily(QuasiVariance variance)
    {
        if (!Enum.IsDefined(variance)) throw new ArgumentOutOfRangeException(nameof(variance), variance, $"variance {(int)variance} is not one of {string.Join(", ", Enum.GetNames<QuasiVariance>())}.");
        VarianceFunction = variance;
    }

    /// <summary>The variance function.</summary>
    public QuasiVariance VarianceFunction { get; }

    /// <inheritdoc />
    public override string Name => "quasi";

    /// <inheritdoc />
    public override ILinkFunction CanonicalLink => new IdentityLink();

    /// <inheritdoc />
    public override bool EstimatesDispersion => true;

    /// <inheritdoc />
    public override bool HasLikelihood => false;

    /// <inheritdoc />
    public override string ResponseSupport => VarianceFunction switch
    {
        QuasiVariance.Constant => "real numbers",
        QuasiVariance.MuOneMinusMu => "numbers in [0, 1]",
        QuasiVariance.Mu => "non-negative real numbers",
        _ => "positive real numbers",
    };

    /// <inheritdoc />
    public override double Variance(double mu) => VarianceFunction switch
    {
        QuasiVariance.Constant => 1.0,
        QuasiVariance.MuOneMinusMu => mu * (1 - mu),
        QuasiVariance.Mu => mu,
        QuasiVariance.MuSquared => mu * mu,
        _ => mu * mu * mu,
    };

    internal override double VarianceDerivative(double mu) => VarianceFunction switch
    {
        QuasiVariance.Constant => 0.0,
        QuasiVariance.MuOneMinusMu => 1 - 2 * mu,
        QuasiVariance.Mu => 1.0,
        QuasiVariance.MuSquared => 2 * mu,
        _ => 3 * mu * mu,
    };

    /// <inheritdoc />
    public override double Deviance(double y, double mu, double weight) => VarianceFunction switch
    {
        QuasiVariance.Constant => weight * (y - mu) * (y - mu),
        QuasiVariance.MuOneMinusMu => 2 * weight * (YLogY(y, mu) + YLogY(1 - y, 1 - mu)),
        QuasiVariance.Mu => 2 * weight * (YLogY(y, mu) - (y - mu)),
        QuasiVariance.MuSquared => 2 * weight * (y / mu - Math.Log(y == 0 ? 1 : y / mu) - 1),
        _ => weight * ((y - mu) * (y - mu) / (y * mu * mu)),
    };

    /// <inheritdoc />
    public override bool IsValidResponse(double y) => double.IsFinite(y) && VarianceFunction switch
    {
        QuasiVariance.Constant => true,
        QuasiVariance.MuOneMinusMu => y >= 0 && y <= 1,
        QuasiVariance.Mu => y >= 0,
        _ => y > 0,
    };

    /// <inheritdoc />
    public override bool IsValidMean(double mu) => VarianceFunction switch
    {
        QuasiVariance.Constant => double.IsFinite(mu),
        QuasiVariance.MuOneMinusMu => mu > 0 && mu < 1,
        _ => mu > 0 && double.IsFinite(mu),
    };

    /// <inheritdoc />
    public override double InitialMean(double y, double weight) => VarianceFunction switch
    {
        QuasiVariance.Constant => y,
        QuasiVariance.MuOneMinusMu => Math.Max(0.001, Math.Min(0.999, y)),
        _ => y + (y == 0 ? 0.1 : 0),
    };

    /// <inheritdoc />
    public override bool IsLinkAllowed(ILinkFunction link) => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance) => null;
}
