# The bundled model's training curve: gnuplot -c docs/training-curve.gp LOSS.csv OUT.png [FINE_TUNE_STEP]
# LOSS.csv holds step,loss,lr per line (ebm train --loss-csv).
set terminal pngcairo size 900,420 font "DejaVu Sans,10"
set output ARG2
set datafile separator ","
set xlabel "training step"
set ylabel "normalised MDSM loss"
set logscale y
set yrange [50:1500]
set autoscale xfix
set grid
set key top right
# running mean over the last 100 steps
array window[100]
total = 0
push(x) = (slot = int($0) % 100, total = total - (($0 >= 100) ? window[slot + 1] : 0) + x, window[slot + 1] = x)
count(row) = row > 99 ? 100 : (row + 1)
mean(x) = (push(x), total / count($0))
if (ARGC >= 3) {
    set arrow from ARG3, graph 0 to ARG3, graph 1 nohead dashtype 2 lc rgb "#888888"
    set label "fine-tuning starts" at ARG3, graph 0.6 offset 0.5, 0
}
plot ARG1 using 1:2 with lines lc rgb "#B0C4DE" title "loss per step", \
     ARG1 using 1:(mean($2)) with lines lw 2 lc rgb "#1F4E9A" title "mean of the last 100 steps"
