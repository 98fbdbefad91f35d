using System;

namespace NNLinearity.Layers;

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, algorithm 7.4) with a line search satisfying the strong Wolfe conditions
/// (algorithms 3.5 and 3.6, c1 = 1e-4, c2 = 0.9, safeguarded cubic interpolation in the zoom).
/// </summary>
internal sealed class Lbfgs(int dimension, int memory)
{
    private const double C1 = 1e-4, C2 = 0.9;
    private readonly double[][] _s = CreateHistory(memory, dimension);
    private readonly double[][] _y = CreateHistory(memory, dimension);
    private readonly double[] _rho = new double[memory];
    private readonly double[] _alpha = new double[memory];
    private int _count;
    private int _head;

    public delegate double Objective(double[] x, double[] gradient);

    public (double[] X, double F, int Iterations, TrainingStopReason Reason) Minimize(
        double[] x0, Objective objective, int maxIterations, double gradientTolerance, Func<int, double, double[], bool> onIteration)
    {
        int n = dimension;
        double[] x = (double[])x0.Clone(), g = new double[n], d = new double[n];
        double[] xNew = new double[n], gNew = new double[n];
        double f = objective(x, g);
        if (!double.IsFinite(f)) return (x, f, 0, TrainingStopReason.Diverged);
        int iteration = 0;
        while (true)
        {
            if (MaxAbs(g) <= gradientTolerance) return (x, f, iteration, TrainingStopReason.Converged);
            if (iteration >= maxIterations) return (x, f, iteration, TrainingStopReason.MaxEpochs);
            iteration++;

            Direction(g, d);
            double slope = Dot(g, d);
            if (!(slope < 0))
            {
                _count = 0;
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = Dot(g, d);
            }

            double initial = _count == 0 ? Math.Min(1.0, 1.0 / Math.Max(Norm1(g), 1e-300)) : 1.0;
            double fNew = LineSearch(objective, x, f, g, d, slope, initial, xNew, gNew, out bool ok);
            if (!ok)
            {
                // No point along d satisfies the Wolfe conditions: at a minimum to rounding, or a bad curvature pair.
                if (_count > 0)
                {
                    _count = 0;
                    iteration--;
                    objective(x, g);
                    continue;
                }

                objective(x, g);
                return (x, f, iteration, TrainingStopReason.LineSearchFailed);
            }

            double sy = 0, yy = 0;
            double[] s = _s[_head], y = _y[_head];
            for (int i = 0; i < n; i++)
            {
                s[i] = xNew[i] - x[i];
                y[i] = gNew[i] - g[i];
                sy += s[i] * y[i];
                yy += y[i] * y[i];
            }

            if (sy > 1e-12 * yy)
            {
                _rho[_head] = 1.0 / sy;
                _head = (_head + 1) % memory;
                _count = Math.Min(_count + 1, memory);
            }

            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            f = fNew;
            if (onIteration(iteration, f, x)) return (x, f, iteration, TrainingStopReason.Canceled);
        }
    }

    private void Direction(double[] g, double[] d)
    {
        int n = dimension;
        for (int i = 0; i < n; i++) d[i] = -g[i];
        int newest = (_head - 1 + memory) % memory;
        for (int c = 0, j = newest; c < _count; c++, j = (j - 1 + memory) % memory)
        {
            _alpha[j] = _rho[j] * Dot(_s[j], d);
            Axpy(-_alpha[j], _y[j], d);
        }

        if (_count > 0)
        {
            double gamma = Dot(_s[newest], _y[newest]) / Dot(_y[newest], _y[newest]);
            for (int i = 0; i < n; i++) d[i] *= gamma;
        }

        int oldest = (_head - _count + memory) % memory;
        for (int c = 0, j = oldest; c < _count; c++, j = (j + 1) % memory)
        {
            double beta = _rho[j] * Dot(_y[j], d);
            Axpy(_alpha[j] - beta, _s[j], d);
        }
    }

    private static double LineSearch(Objective objective, double[] x, double f0, double[] g0, double[] d, double slope0, double alpha1,
        double[] xNew, double[] gNew, out bool ok)
    {
        double prevAlpha = 0, prevF = f0, prevSlope = slope0, alpha = alpha1;
        for (int i = 0; i < 40; i++)
        {
            double f = Evaluate(objective, x, d, alpha, xNew, gNew);
            double slope = Dot(gNew, d);
            if (Flat(f, f0))
            {
                // The loss no longer resolves the step (it changes by rounding only): Hager and Zhang's approximate
                // Wolfe conditions decide on the directional derivative alone.
                if (ApproximateWolfe(slope, slope0))
                {
                    ok = true;
                    return f;
                }

                if (slope >= 0) return Zoom(objective, x, f0, d, slope0, prevAlpha, prevF, prevSlope, alpha, f, slope, xNew, gNew, out ok);
            }
            else if (!double.IsFinite(f) || f > f0 + C1 * alpha * slope0 || (i > 0 && f >= prevF))
            {
                return Zoom(objective, x, f0, d, slope0, prevAlpha, prevF, prevSlope, alpha, f, slope, xNew, gNew, out ok);
            }

            if (Math.Abs(slope) <= -C2 * slope0)
            {
                ok = true;
                return f;
            }

            if (slope >= 0) return Zoom(objective, x, f0, d, slope0, alpha, f, slope, prevAlpha, prevF, prevSlope, xNew, gNew, out ok);
            prevAlpha = alpha;
            prevF = f;
            prevSlope = slope;
            alpha *= 2;
        }

        ok = false;
        return f0;
    }

    private static double Zoom(Objective objective, double[] x, double f0, double[] d, double slope0,
        double lo, double fLo, double sLo, double hi, double fHi, double sHi, double[] xNew, double[] gNew, out bool ok)
    {
        for (int i = 0; i < 40; i++)
        {
            double alpha = Interpolate(lo, fLo, sLo, hi, fHi, sHi);
            double f = Evaluate(objective, x, d, alpha, xNew, gNew);
            double slope = Dot(gNew, d);
            if (Flat(f, f0))
            {
                if (ApproximateWolfe(slope, slope0))
                {
                    ok = true;
                    return f;
                }

                // Bracket on the sign of the derivative: the minimiser along d lies where it changes sign.
                if ((slope >= 0) == (hi > lo))
                {
                    hi = alpha;
                    fHi = f;
                    sHi = slope;
                }
                else
                {
                    lo = alpha;
                    fLo = f;
                    sLo = slope;
                }
            }
            else if (!double.IsFinite(f) || f > f0 + C1 * alpha * slope0 || f >= fLo)
            {
                hi = alpha;
                fHi = f;
                sHi = slope;
            }
            else
            {
                if (Math.Abs(slope) <= -C2 * slope0)
                {
                    ok = true;
                    return f;
                }

                if (slope * (hi - lo) >= 0)
                {
                    hi = lo;
                    fHi = fLo;
                    sHi = sLo;
                }

                lo = alpha;
                fLo = f;
                sLo = slope;
            }

            if (Math.Abs(hi - lo) <= 1e-16 * Math.Max(Math.Abs(lo), Math.Abs(hi))) break;
        }

        // The interval collapsed: accept the best point if it decreased the loss.
        if (lo > 0 && fLo < f0)
        {
            double f = Evaluate(objective, x, d, lo, xNew, gNew);
            ok = true;
            return f;
        }

        ok = false;
        return f0;
    }

    private static bool Flat(double f, double f0) => double.IsFinite(f) && Math.Abs(f - f0) <= 1e-13 * Math.Abs(f0);

    /// <summary>Hager-Zhang (2005): (2 delta - 1) phi'(0) &gt;= phi'(alpha) &gt;= sigma phi'(0), delta = 0.1, sigma = 0.9.</summary>
    private static bool ApproximateWolfe(double slope, double slope0) => slope >= C2 * slope0 && slope <= (2 * 0.1 - 1) * slope0;

    /// <summary>Minimiser of the cubic through both ends, kept within the middle 80% of the interval (else bisection).</summary>
    private static double Interpolate(double a, double fa, double sa, double b, double fb, double sb)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b), width = hi - lo;
        double t = (a + b) / 2;
        if (double.IsFinite(fb) && double.IsFinite(sb))
        {
            double d1 = sa + sb - 3 * (fa - fb) / (a - b);
            double disc = d1 * d1 - sa * sb;
            if (disc >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(disc);
                double c = b - (b - a) * (sb + d2 - d1) / (sb - sa + 2 * d2);
                if (double.IsFinite(c)) t = c;
            }
        }

        return Math.Clamp(t, lo + 0.1 * width, hi - 0.1 * width);
    }

    private static double Evaluate(Objective objective, double[] x, double[] d, double alpha, double[] xNew, double[] gNew)
    {
        for (int i = 0; i < x.Length; i++) xNew[i] = x[i] + alpha * d[i];
        return objective(xNew, gNew);
    }

    private static double[][] CreateHistory(int m, int n)
    {
        var h = new double[m][];
        for (int i = 0; i < m; i++) h[i] = new double[n];
        return h;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    private static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (double v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    private static double Norm1(double[] a)
    {
        double s = 0;
        foreach (double v in a) s += Math.Abs(v);
        return s;
    }
}
