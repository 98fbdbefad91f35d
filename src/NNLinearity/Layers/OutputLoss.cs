using System;
using System.Globalization;
using System.Numerics;
using NNLinearity.Families;
using NNLinearity.Kernels;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Layers;

/// <summary>
/// The loss on a stack's output: half the family's deviance (so that binomial + logit is the cross-entropy and
/// Gaussian + identity is half the squared error), written in a stable form in eta, with its gradient in eta.
/// </summary>
internal abstract class OutputLoss
{
    /// <summary>
    /// <paramref name="total"/> plus the sum over rows, in row order, of w_i times half the unit deviance; writes scale *
    /// d/deta into <paramref name="gradEta"/>. Rows evaluated in consecutive chunks, each continuing the previous total,
    /// give the same bits as all rows at once.
    /// </summary>
    public abstract double Evaluate<T>(ReadOnlySpan<T> eta, ReadOnlySpan<T> y, ReadOnlySpan<double> w, int rows, int k, Span<T> gradEta, double scale, double total = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>Mean of row i (mu, or the class probabilities) from its linear predictors.</summary>
    public abstract void Mean(ReadOnlySpan<double> eta, Span<double> mu);

    /// <summary>Half deviance of one row, its gradient and its Hessian (k x k, row-major) in eta, in double.</summary>
    public abstract double RowDerivatives(ReadOnlySpan<double> eta, ReadOnlySpan<double> y, double w, Span<double> gradient, Span<double> hessian);

    /// <summary>Throws when a response is outside the family's support.</summary>
    public abstract void ValidateResponses<T>(ReadOnlySpan<T> y, int rows, int k, string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>One response family per output column, with the output layer's link.</summary>
internal sealed class FamilyLoss : OutputLoss
{
    private enum Kind { Generic, BinomialLogit, PoissonLog, GaussianIdentity }

    private readonly GlmFamily _family;
    private readonly ILinkFunction _link;
    private readonly Kind _kind;

    public FamilyLoss(GlmFamily family, ILinkFunction link)
    {
        _family = family;
        _link = link;
        _kind = family is BinomialFamily && link is LogitLink ? Kind.BinomialLogit
            : family is PoissonFamily && link is LogLink ? Kind.PoissonLog
            : family is GaussianFamily && link is IdentityLink ? Kind.GaussianIdentity
            : Kind.Generic;
    }

    public override double Evaluate<T>(ReadOnlySpan<T> eta, ReadOnlySpan<T> y, ReadOnlySpan<double> w, int rows, int k, Span<T> gradEta, double scale, double total = 0)
    {
        for (int i = 0; i < rows; i++)
        {
            double wi = w.IsEmpty ? 1.0 : w[i];
            for (int j = 0; j < k; j++)
            {
                int o = i * k + j;
                total += Unit(double.CreateTruncating(eta[o]), double.CreateTruncating(y[o]), wi, out double g, out _);
                gradEta[o] = Saturate<T>(scale * g);
            }
        }

        return total;
    }

    /// <summary>
    /// The gradient in T, clamped to T's finite range: far in a log link's tail, w (1 - y / mu) exceeds float's range
    /// (or is Inf in double); a saturated component keeps the step finite (Adam normalises it) instead of turning it into NaN.
    /// </summary>
    private static T Saturate<T>(double g) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double max = typeof(T) == typeof(float) ? float.MaxValue : double.MaxValue;
        return T.CreateTruncating(Math.Clamp(g, -max, max));
    }

    public override void Mean(ReadOnlySpan<double> eta, Span<double> mu)
    {
        for (int j = 0; j < eta.Length; j++) mu[j] = _link.Inverse(eta[j]);
    }

    public override double RowDerivatives(ReadOnlySpan<double> eta, ReadOnlySpan<double> y, double w, Span<double> gradient, Span<double> hessian)
    {
        int k = eta.Length;
        hessian[..(k * k)].Clear();
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            total += Unit(eta[j], y[j], w, out gradient[j], out double c);
            hessian[j * k + j] = c;
        }

        return total;
    }

    public override void ValidateResponses<T>(ReadOnlySpan<T> y, int rows, int k, string name)
    {
        for (int i = 0; i < y.Length; i++)
        {
            double v = double.CreateTruncating(y[i]);
            if (!double.IsFinite(v)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i / k}, {i % k}] is {v}: responses must be finite."), name);
            if (!_family.IsValidResponse(v))
            {
                throw new ArgumentOutOfRangeException(name, v, string.Create(CultureInfo.InvariantCulture,
                    $"{name}[{i / k}, {i % k}] = {v} is outside the support of the {_family.Name} family ({_family.ResponseSupport})."));
            }
        }
    }

    /// <summary>w times half the unit deviance at eta, its first derivative and its second derivative in eta.</summary>
    private double Unit(double eta, double y, double w, out double gradient, out double curvature)
    {
        switch (_kind)
        {
            case Kind.BinomialLogit:
            {
                // -y log mu - (1 - y) log(1 - mu) = softplus(eta) - y eta; plus the saturated model's term.
                double e = Math.Exp(-Math.Abs(eta));
                double p = 1.0 / (1.0 + e);
                double mu = eta >= 0 ? p : e * p;
                double softplus = Math.Max(eta, 0.0) + Special.Log1P(e);
                gradient = w * (mu - y);
                curvature = w * e * p * p;
                return w * (softplus - y * eta + XLogX(y) + XLogX(1 - y));
            }

            case Kind.PoissonLog:
            {
                double mu = Math.Exp(eta);
                gradient = w * (mu - y);
                curvature = w * mu;
                return w * (XLogX(y) - y * eta - y + mu);
            }

            case Kind.GaussianIdentity:
            {
                double r = eta - y;
                gradient = w * r;
                curvature = w;
                return 0.5 * w * r * r;
            }

            default:
            {
                if (_family is BinomialFamily) return BinomialUnit(eta, y, w, out gradient, out curvature);
                double loss = GenericUnit(eta, y, w, out gradient, out curvature);
                // Only where mu overflows or underflows (eta beyond about +-700 for a log link) can Inf / Inf or
                // Inf - Inf appear; there the gradient is taken at the nearest eta (halving towards 0) where it is finite.
                for (double e = eta / 2; double.IsNaN(gradient) && Math.Abs(e) > 1; e /= 2) GenericUnit(e, y, w, out gradient, out curvature);
                if (double.IsNaN(gradient)) gradient = curvature = 0;
                return double.IsNaN(loss) ? double.PositiveInfinity : loss;
            }
        }
    }

    /// <summary>Any family and link: w times half the unit deviance, and its derivatives through mu, dmu/deta, d2mu/deta2 and V(mu).</summary>
    private double GenericUnit(double eta, double y, double w, out double gradient, out double curvature)
    {
        double mu = _link.Inverse(eta, out double d1);
        double d2 = _link.InverseSecondDerivative(eta);
        double v = Math.Max(_family.Variance(mu), 1e-300);
        if (d1 == 0)
        {
            gradient = 0;
            curvature = 0;
        }
        else
        {
            gradient = w * (mu - y) * d1 / v;
            curvature = w * (d1 * d1 / v + (mu - y) * (d2 / v - d1 * d1 * _family.VarianceDerivative(mu) / (v * v)));
        }

        return w == 0 ? 0 : 0.5 * _family.Deviance(y, mu, w);
    }

    /// <summary>
    /// Binomial with a non-canonical link. For probit, cauchit, cloglog and loglog the deviance
    /// y log(y/mu) + (1-y) log((1-y)/q), q = 1 - mu, is written through log mu and log q and their derivatives in
    /// eta, each in a form that stays finite and accurate in both tails (log Phi through erfcx, log q = -exp(eta) for
    /// cloglog, ...): where mu rounds to 1 the loss, its gradient and its curvature keep their value instead of
    /// becoming Inf or 0 / 0. Other links (log, identity) use q = 1 - mu.
    /// </summary>
    private double BinomialUnit(double eta, double y, double w, out double gradient, out double curvature)
    {
        // a = d log mu / d eta, b = -d log q / d eta, da and db their derivatives.
        double logMu, logQ, a, b, da, db;
        switch (_link)
        {
            case ProbitLink:
                logMu = Special.LogNormalCdf(eta);
                logQ = Special.LogNormalCdf(-eta);
                a = Special.NormalHazardLower(eta);
                b = Special.NormalHazardLower(-eta);
                da = -a * (eta + a);
                db = b * (b - eta);
                break;
            case CauchitLink:
            {
                // Each of mu and q from the arctangent of 1 / |eta| on its small side, so neither is 1 - (nearly 1).
                double small = eta == 0 ? 0.5 : Math.Atan(1 / Math.Abs(eta)) / Math.PI;
                double mu = eta > 0 ? 1 - small : small, q = eta > 0 ? small : 1 - small;
                double d1 = 1 / (Math.PI * (1 + eta * eta)), d2 = -2 * eta * Math.PI * d1 * d1;
                logMu = Math.Log(mu);
                logQ = Math.Log(q);
                a = d1 / mu;
                b = d1 / q;
                da = d2 / mu - a * a;
                db = d2 / q + b * b;
                break;
            }

            case CloglogLink:
            {
                // mu = 1 - exp(-t), t = exp(eta): log q = -t exactly.
                CloglogLogMean(eta, out logMu, out a, out da);
                logQ = -Math.Exp(eta);
                b = db = -logQ;
                break;
            }

            case LogLogLink:
            {
                // mu = exp(-s), s = exp(-eta): the mirror image of cloglog.
                logMu = -Math.Exp(-eta);
                a = -logMu;
                da = logMu;
                CloglogLogMean(-eta, out logQ, out b, out double dbMirror);
                db = -dbMirror;
                break;
            }

            default:
                return BinomialUnitDirect(eta, y, w, out gradient, out curvature);
        }

        gradient = w * ((1 - y) * b - y * a);
        curvature = w * ((1 - y) * db - y * da);
        double dev = (y > 0 ? y * (Math.Log(y) - logMu) : 0) + (y < 1 ? (1 - y) * (Special.Log1P(-y) - logQ) : 0);
        return w * dev;
    }

    /// <summary>
    /// log(1 - exp(-exp(eta))) (the cloglog mean's log), its derivative a = t / expm1(t) with t = exp(eta), and
    /// a' = -a (t / (1 - exp(-t)) - 1), with series where t is small enough for the closed forms to cancel.
    /// </summary>
    private static void CloglogLogMean(double eta, out double logMu, out double a, out double da)
    {
        double t = Math.Exp(eta);
        logMu = eta < -36 ? eta - 0.5 * t : Math.Log(-Special.ExpM1(-t)); // log t + log((1 - e^-t) / t), t < 2.4e-16
        if (t == 0)
        {
            a = 1;
            da = 0;
            return;
        }

        a = double.IsPositiveInfinity(t) ? 0 : t / Special.ExpM1(t);
        double c = t < 1e-2 ? t * (0.5 + t * (1.0 / 12 - t * t / 720)) : t / -Special.ExpM1(-t) - 1;
        da = a == 0 ? 0 : -a * c;
    }

    /// <summary>Binomial with any other link, through mu and q = 1 - mu.</summary>
    private double BinomialUnitDirect(double eta, double y, double w, out double gradient, out double curvature)
    {
        double mu = _link.Inverse(eta, out double d1);
        double q = _link is LogLink ? -Special.ExpM1(eta) : 1 - mu;
        double d2 = _link.InverseSecondDerivative(eta);
        double overMu = d1 == 0 ? 0 : d1 / mu, overQ = d1 == 0 ? 0 : d1 / q;
        gradient = w * ((1 - y) * overQ - y * overMu);
        double v = mu * q;
        curvature = v > 0 ? w * (d1 * d1 / v + (mu - y) * (d2 / v - d1 * d1 * (q - mu) / (v * v))) : 0;
        double dev = (y > 0 ? y * (Math.Log(y) - Math.Log(mu)) : 0) + (y < 1 ? (1 - y) * (Special.Log1P(-y) - Math.Log(q)) : 0);
        return w * dev;
    }

    private static double XLogX(double x) => x > 0 ? x * Math.Log(x) : 0.0;
}

/// <summary>The multinomial output: softmax over the k linear predictors of a row; half deviance = cross-entropy - entropy(y).</summary>
internal sealed class SoftmaxLoss : OutputLoss
{
    /// <summary>Doubles of exp(eta - max) held at once: rows are taken in blocks of this many values (at least one row).</summary>
    private const int BlockValues = 512;

    /// <summary>
    /// The rows in blocks: each row's eta - max is written in double, the block's exponentials taken on vectors at once
    /// (<see cref="VectorMath.Exp(ReadOnlySpan{double}, Span{double})"/>, the same bits on every width), each row summed
    /// in column order and the block's sums' logarithms taken on vectors too, then each row's loss and gradient,
    /// p_j sum(y) - y_j, from its log-sum-exp.
    /// </summary>
    public override double Evaluate<T>(ReadOnlySpan<T> eta, ReadOnlySpan<T> y, ReadOnlySpan<double> w, int rows, int k, Span<T> gradEta, double scale, double total = 0)
    {
        if (k == 0) return total;
        int blockRows = Math.Max(1, BlockValues / k);
        Span<double> e = k <= BlockValues ? stackalloc double[blockRows * k] : new double[k];
        Span<double> max = stackalloc double[blockRows], sum = stackalloc double[blockRows], logSum = stackalloc double[blockRows];
        for (int i0 = 0; i0 < rows; i0 += blockRows)
        {
            int r = Math.Min(blockRows, rows - i0);
            for (int i = 0; i < r; i++)
            {
                ReadOnlySpan<T> row = eta.Slice((i0 + i) * k, k);
                double m = double.NegativeInfinity;
                for (int j = 0; j < k; j++) m = Math.Max(m, double.CreateTruncating(row[j]));
                max[i] = m;
                Span<double> ei = e.Slice(i * k, k);
                for (int j = 0; j < k; j++) ei[j] = double.CreateTruncating(row[j]) - m;
            }

            Span<double> block = e[..(r * k)];
            VectorMath.Exp(block, block);
            Span<double> sums = sum[..r], logSums = logSum[..r];
            for (int i = 0; i < r; i++)
            {
                ReadOnlySpan<double> ei = e.Slice(i * k, k);
                double s = 0;
                for (int j = 0; j < k; j++) s += ei[j];
                sums[i] = s;
            }

            VectorMath.Log(sums, logSums);
            for (int i = 0; i < r; i++)
            {
                int at = (i0 + i) * k;
                double wi = w.IsEmpty ? 1.0 : w[i0 + i];
                ReadOnlySpan<double> ei = e.Slice(i * k, k);
                double s = sums[i], lse = max[i] + logSums[i], sy = 0;
                // y log y is 0 at y = 0 and y = 1: a one-hot row takes no logarithm and no test per class.
                bool soft = false;
                for (int j = 0; j < k; j++)
                {
                    double yj = double.CreateTruncating(y[at + j]);
                    sy += yj;
                    soft |= yj != 0 & yj != 1;
                }

                for (int j = 0; j < k; j++)
                {
                    double yj = double.CreateTruncating(y[at + j]);
                    double etaj = double.CreateTruncating(eta[at + j]);
                    double term = yj * (lse - etaj);
                    if (soft && yj > 0 && yj < 1) term += yj * Math.Log(yj);
                    total += wi * term;
                    gradEta[at + j] = T.CreateTruncating(scale * wi * (ei[j] / s * sy - yj));
                }
            }
        }

        return total;
    }

    public override void Mean(ReadOnlySpan<double> eta, Span<double> mu)
    {
        double max = double.NegativeInfinity;
        foreach (double v in eta) max = Math.Max(max, v);
        double sum = 0;
        for (int j = 0; j < eta.Length; j++) sum += mu[j] = Math.Exp(eta[j] - max);
        for (int j = 0; j < eta.Length; j++) mu[j] /= sum;
    }

    public override double RowDerivatives(ReadOnlySpan<double> eta, ReadOnlySpan<double> y, double w, Span<double> gradient, Span<double> hessian)
    {
        int k = eta.Length;
        Span<double> p = stackalloc double[k];
        Mean(eta, p);
        double max = double.NegativeInfinity, sum = 0, sy = 0, total = 0;
        foreach (double v in eta) max = Math.Max(max, v);
        foreach (double v in eta) sum += Math.Exp(v - max);
        double lse = max + Math.Log(sum);
        foreach (double v in y) sy += v;
        for (int j = 0; j < k; j++)
        {
            total += w * (y[j] * (lse - eta[j]) + (y[j] > 0 ? y[j] * Math.Log(y[j]) : 0));
            gradient[j] = w * (p[j] * sy - y[j]);
            for (int l = 0; l < k; l++) hessian[j * k + l] = w * sy * ((j == l ? p[j] : 0) - p[j] * p[l]);
        }

        return total;
    }

    public override void ValidateResponses<T>(ReadOnlySpan<T> y, int rows, int k, string name)
    {
        for (int i = 0; i < rows; i++)
        {
            double s = 0;
            for (int j = 0; j < k; j++)
            {
                double v = double.CreateTruncating(y[i * k + j]);
                if (!(v >= 0 && v <= 1))
                {
                    throw new ArgumentOutOfRangeException(name, v, string.Create(CultureInfo.InvariantCulture,
                        $"{name}[{i}, {j}] = {v}: multinomial responses are class probabilities (one-hot rows), in [0, 1]."));
                }

                s += v;
            }

            if (Math.Abs(s - 1) > 1e-6)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} row {i} sums to {s}: multinomial responses must sum to 1 in each row."), name);
            }
        }
    }
}
